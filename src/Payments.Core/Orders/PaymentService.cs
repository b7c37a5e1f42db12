using Microsoft.Extensions.Logging;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>
/// The order flow: open a payment at a provider, and settle it from what the provider says. Every status
/// change goes through <see cref="OrderTransitions"/> and is written with its event in one ETag-guarded
/// transaction; a lost race re-reads and decides again. After each commit the <see cref="IOrderChangeObserver"/> (if
/// any) publishes the change's events and enqueues its new charges.
/// </summary>
/// <remarks>
/// One file per seam: <c>.Create</c> (claim, insert, open the session), <c>.Settle</c> (confirm at the provider and
/// apply), <c>.Callbacks</c> (the shopper's return and a webhook), <c>.Update</c> (the ETag-guarded write loop).
/// </remarks>
public sealed partial class PaymentService(
    ProviderCatalog providers,
    IOrderStore orders,
    IOrderLookups lookups,
    IPaymentLinks links,
    TimeProvider clock,
    ILogger<PaymentService> logger,
    IOrderChangeObserver? observer = null)
{
    /// <summary>Time-ordered, unguessable, and valid in every table key and URL: "ord_" + 32 hex digits.</summary>
    public static string NewOrderId(DateTimeOffset now) => $"ord_{Guid.CreateVersion7(now):N}";

    public static bool IsOrderId(string? text) =>
        text is { Length: 36 } && text.StartsWith("ord_", StringComparison.Ordinal) && !text.AsSpan(4).ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
