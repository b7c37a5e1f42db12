using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Events;

namespace Payments.Messaging.Webhooks;

public static class WebhookFanOutRegistration
{
    /// <summary>
    /// Registers <see cref="WebhookFanOut"/>, the logging <see cref="IWebhookFailureRecorder"/> and the no-op
    /// <see cref="IWebhookDeliveryLog"/> (unless others are registered),
    /// and the two functions: <paramref name="fanOutFunction"/> on <c>payment-events</c>/<paramref name="subscriptionName"/>
    /// and <paramref name="deliveryFunction"/> on the queue <c>Webhooks:DeliveryQueue</c> (default <c>webhook-deliveries</c>).
    /// Needs <see cref="MessagingRegistration.AddMessaging"/> too.
    /// </summary>
    public static IServiceCollection AddWebhookFanOut(this IServiceCollection services, string deliveryQueue = WebhookOptions.DefaultDeliveryQueue,
        string fanOutFunction = "WebhookFanOut", string deliveryFunction = "WebhookDelivery",
        string subscriptionName = MessagingEntities.StorefrontWebhooksSubscription)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IWebhookFailureRecorder, LoggingWebhookFailureRecorder>();
        services.TryAddSingleton<IWebhookDeliveryLog, NoWebhookDeliveryLog>();
        services.TryAddSingleton<WebhookFanOut>();
        services.PostConfigure<WebhookOptions>(o => o.DeliveryQueue = deliveryQueue);
        services.AddServiceBusFunction<PaymentEventFanOutHandler>(fanOutFunction, MessagingEntities.PaymentEvents, subscriptionName);
        services.AddServiceBusFunction<WebhookDeliveryHandler>(deliveryFunction, deliveryQueue);
        return services;
    }
}
