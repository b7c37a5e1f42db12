using System.Diagnostics;
using Payments.Core.Orders;
using Payments.Core.Telemetry;

namespace Payments.Host.Telemetry;

/// <summary>
/// What the ASP.NET Core request span gets from the request itself: the order id when the path names one (so the
/// request and every log line in it carry it from the start), and a path without the return token
/// (<c>/api/return/{provider}/{orderId}/{token}</c>: the token is the order's HMAC, a capability, not telemetry).
/// </summary>
public static class RequestTelemetry
{
    public const string RedactedSegment = "REDACTED";

    public static void Enrich(Activity activity, HttpRequest request)
    {
        var path = request.Path.Value;
        if (string.IsNullOrEmpty(path) || !path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var segments = path.Split('/');

        // "", "api", "orders", "{orderId}", … and "", "api", "return", "{provider}", "{orderId}", "{token}".
        if (segments.Length > 3 && segments[2].Equals("orders", StringComparison.OrdinalIgnoreCase) && PaymentService.IsOrderId(segments[3]))
        {
            activity.SetTag(PaymentsTelemetry.Tags.OrderId, segments[3]);
        }
        else if (segments.Length > 4 && segments[2].Equals("return", StringComparison.OrdinalIgnoreCase))
        {
            if (PaymentService.IsOrderId(segments[4]))
            {
                activity.SetTag(PaymentsTelemetry.Tags.OrderId, segments[4]);
            }

            activity.SetTag(PaymentsTelemetry.Tags.Provider, segments[3]);
            if (segments.Length > 5)
            {
                segments[5] = RedactedSegment;
                activity.SetTag("url.path", string.Join('/', segments));
            }
        }
    }
}
