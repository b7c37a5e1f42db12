namespace Payments.Messaging;

/// <summary>The Service Bus entities (README: Service Bus entities).</summary>
public static class MessagingEntities
{
    /// <summary>The topic every order status change is published to (MessageId = event id).</summary>
    public const string PaymentEvents = "payment-events";

    /// <summary>The queue of follow-up charges (upsells, recurring charges; scheduled messages).</summary>
    public const string PaymentCharges = "payment-charges";

    /// <summary>The <see cref="PaymentEvents"/> subscription the storefront webhook fan-out listens to.</summary>
    public const string StorefrontWebhooksSubscription = "storefront-webhooks";

    /// <summary>The queue of single webhook delivery attempts (scheduled retries).</summary>
    public const string WebhookDeliveries = "webhook-deliveries";
}
