using System.Text.Json;
using Payments.Core.Events;

namespace Payments.Messaging.Webhooks;

/// <summary>
/// The body storefronts receive, shaped as the Standard Webhooks spec recommends:
/// <c>{"type": "order.status_changed", "timestamp": "…", "data": {…the event, camelCase…}}</c>.
/// Serialize once and sign and send those exact bytes.
/// </summary>
public static class WebhookPayload
{
    public static byte[] ForEvent(PaymentEvent paymentEvent)
    {
        ArgumentNullException.ThrowIfNull(paymentEvent);
        return JsonSerializer.SerializeToUtf8Bytes(
            new { type = paymentEvent.Type, timestamp = paymentEvent.OccurredAt, data = paymentEvent },
            JsonDefaults.Web);
    }
}
