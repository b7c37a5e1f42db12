using OpenTelemetry;
using OpenTelemetry.Logs;
using Payments.Core.Telemetry;

namespace Payments.Host.Telemetry;

/// <summary>
/// Puts the order id of the span a log line was written in (the request, the message being handled, the provider call)
/// on the log record as <c>payments.order_id</c>, so one query finds one payment's lines even where the code that logs
/// never names the order. Must run before the exporters' processors (it is added first).
/// </summary>
/// <remarks>
/// Logging scopes are not exported (<c>IncludeScopes</c> stays off): ASP.NET Core's request scope holds the request
/// path, and a return path holds the order's signed return token.
/// </remarks>
public sealed class OrderIdLogProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (PaymentsTelemetry.CurrentOrderId() is not { } orderId)
        {
            return;
        }

        var attributes = data.Attributes is { } existing ? new List<KeyValuePair<string, object?>>(existing.Count + 1) : [];
        if (data.Attributes is { } current)
        {
            foreach (var attribute in current)
            {
                if (attribute.Key == PaymentsTelemetry.Tags.OrderId)
                {
                    return;
                }

                attributes.Add(attribute);
            }
        }

        attributes.Add(new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.OrderId, orderId));
        data.Attributes = attributes;
    }
}
