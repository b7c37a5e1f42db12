using Payments.Core.Orders;

namespace Payments.Providers.Next;

/// <summary>
/// The one map from a NEXT order's <c>payment_status</c> to our status (README: Order statuses). Null means "no change".
/// Transitions themselves are decided by <see cref="OrderTransitions"/>: a step backwards (authorized after
/// paid) or anything after a terminal status is ignored there, so this map only says what each word means.
/// </summary>
public static class NextStatusMapping
{
    /// <summary>Every value of the 2024-04-01 spec's payment_status enum.</summary>
    public static readonly IReadOnlyList<string> KnownStatuses =
    [
        "pending", "authorized", "expiring", "expired", "paid", "voided", "refunded",
        "partially_paid", "partially_refunded", "partially_voided",
    ];

    /// <summary>
    /// Maps <paramref name="paymentStatus"/>. Returns false for a value NEXT did not document (or none at
    /// all): the status is then null ("no change") and the caller logs the value.
    /// </summary>
    public static bool TryMap(string? paymentStatus, out PaymentStatus? status)
    {
        (var known, status) = paymentStatus switch
        {
            // The shopper has not paid yet: nothing new (pending is where every order starts).
            "pending" => (true, (PaymentStatus?)null),
            "authorized" => (true, PaymentStatus.Authorized),

            // The authorization is about to lapse but still holds the money: still authorized. Capturing it in
            // time is the merchant's business; we only report.
            "expiring" => (true, PaymentStatus.Authorized),

            // The authorization lapsed uncaptured: no money was taken.
            "expired" => (true, PaymentStatus.Expired),
            "paid" => (true, PaymentStatus.Succeeded),

            // The merchant released the authorization before capture: no money moved, the payment is off.
            "voided" => (true, PaymentStatus.Cancelled),
            "refunded" => (true, PaymentStatus.Refunded),

            // Some money was taken but not the order total (e.g. an upsell charge failed after the first
            // payment). It is not "succeeded" for an order still pending, and an order already succeeded stays
            // so: no change either way, and the word is kept as the provider status for support.
            "partially_paid" => (true, (PaymentStatus?)null),
            "partially_refunded" => (true, PaymentStatus.PartiallyRefunded),

            // Part of an authorization was released; the rest still stands, so the payment is authorized (an
            // order already succeeded ignores the step back).
            "partially_voided" => (true, PaymentStatus.Authorized),
            _ => (false, (PaymentStatus?)null),
        };
        return known;
    }
}
