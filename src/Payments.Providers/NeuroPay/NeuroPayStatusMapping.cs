using Payments.Core.Orders;

namespace Payments.Providers.NeuroPay;

/// <summary>
/// The one map from a Neuro-Pay checkout's <c>status</c> to our status (README: Order statuses). Null means "no change".
/// Transitions themselves are decided by <see cref="OrderTransitions"/>: a step backwards or anything after a
/// terminal status is ignored there, so this map only says what each word means.
/// </summary>
public static class NeuroPayStatusMapping
{
    public const string Created = "created";
    public const string Reserved = "reserved";
    public const string ReserveReleased = "reserve released";
    public const string Paid = "paid";
    public const string Refunded = "refunded";
    public const string PartialRefund = "partialRefund";
    public const string Revoked = "revoked";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    /// <summary>Every status the seed lists, spelled as Neuro-Pay spells them (a space in "reserve released", camelCase "partialRefund").</summary>
    public static readonly IReadOnlyList<string> KnownStatuses =
        [Created, Reserved, ReserveReleased, Paid, Refunded, PartialRefund, Revoked, Failed, Canceled];

    /// <summary>
    /// Maps <paramref name="status"/>. Returns false for a word Neuro-Pay did not document (or none): the status is
    /// then null ("no change") and the caller logs the word. Matching is exact (ordinal).
    /// </summary>
    public static bool TryMap(string? status, out PaymentStatus? mapped)
    {
        (var known, mapped) = status switch
        {
            // The checkout exists and the shopper has not finished: nothing new.
            Created => (true, (PaymentStatus?)null),

            // capture=false: the amount is held on the card until capture (or release).
            Reserved => (true, PaymentStatus.Authorized),

            // A reservation released through refund before capture: no money moved.
            ReserveReleased => (true, PaymentStatus.Cancelled),
            Paid => (true, PaymentStatus.Succeeded),
            Refunded => (true, PaymentStatus.Refunded),
            PartialRefund => (true, PaymentStatus.PartiallyRefunded),

            // Undocumented beyond the word. Read as "withdrawn before it was paid" (by the merchant, e.g. the
            // documented delete of a created checkout, or by Neuro-Pay): cancelled. Should Neuro-Pay ever use it for
            // a paid checkout (a reversal), OrderTransitions ignores cancelled after succeeded, so a paid order
            // keeps its status and the word is kept as the provider status for a human to look at.
            Revoked => (true, PaymentStatus.Cancelled),
            Failed => (true, PaymentStatus.Failed),

            // The shopper left through returnUrlCancel (or the checkout was otherwise called off) before paying.
            Canceled => (true, PaymentStatus.Cancelled),
            _ => (false, (PaymentStatus?)null),
        };
        return known;
    }

    /// <summary>Whether a checkout in this status can take money no more and has taken none: nothing left to cancel.</summary>
    public static bool IsClosedUnpaid(string? status) => status is ReserveReleased or Revoked or Failed or Canceled;
}
