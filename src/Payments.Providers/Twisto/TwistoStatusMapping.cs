using Payments.Core.Orders;

namespace Payments.Providers.Twisto;

/// <summary>
/// The one map from Twisto's status words to our status (README: Order statuses), for both API versions. Null means "no
/// change". Transitions themselves are decided by <see cref="OrderTransitions"/> (a step backwards or anything
/// after a terminal status is ignored there), so this map only says what each word means.
/// </summary>
/// <remarks>
/// What "approved" means: Twisto has scored the shopper and accepted the purchase, and takes the credit risk, but
/// no money is owed to the merchant until the payment is charged. v4 <c>approved</c> is only reported to accounts
/// without Immediate Capture, and "without 'approved' status, the /charge is not possible"; v2 <c>accepted</c>
/// "needs to be activated … which informs Twisto to send invoice to the customer and mark as paid/finished".
/// Both are therefore <see cref="PaymentStatus.Authorized"/>, and the charged states (v4 <c>completed</c>, v2
/// <c>activated</c>) are <see cref="PaymentStatus.Succeeded"/>. <see cref="TwistoOptions.CaptureOnApproval"/>
/// charges an approved payment at once.
/// </remarks>
public static class TwistoStatusMapping
{
    /// <summary>Every documented v4 checkout <c>state</c>.</summary>
    public static readonly IReadOnlyList<string> CheckoutStates = ["created", "approved", "completed", "cancelled", "error"];

    /// <summary>Every documented v2 order <c>status</c>.</summary>
    public static readonly IReadOnlyList<string> OrderStatuses =
        ["new", "data_completed", "checking", "rejected", "accepted", "canceled", "activated", "refunded", "error"];

    /// <summary>Every documented v4 charge <c>state</c> (the guide also spells <c>authorized</c>).</summary>
    public static readonly IReadOnlyList<string> ChargeStates = ["rejected", "authorised", "authorized", "captured", "cancelled", "refunded", "error"];

    /// <summary>
    /// A v4 checkout <c>state</c>. Returns false for a word Twisto did not document (or none): the status is then
    /// null ("no change") and the caller logs the word.
    /// </summary>
    public static bool TryMapCheckout(string? state, out PaymentStatus? status)
    {
        (var known, status) = state switch
        {
            // Opened; the shopper has not finished at Twisto yet.
            "created" => (true, (PaymentStatus?)null),
            "approved" => (true, PaymentStatus.Authorized),
            "completed" => (true, PaymentStatus.Succeeded),

            // Twisto uses the one word both for "rejected on scoring" and "cancelled by the merchant"; no money
            // moved either way, and the state alone cannot tell them apart, so we keep Twisto's word.
            "cancelled" => (true, PaymentStatus.Cancelled),

            // "Scoring failed - unknown error": the payment did not happen.
            "error" => (true, PaymentStatus.Failed),
            _ => (false, (PaymentStatus?)null),
        };
        return known;
    }

    /// <summary>A v2 order <c>status</c>; false (and null) for an undocumented word.</summary>
    public static bool TryMapOrder(string? status, out PaymentStatus? mapped)
    {
        (var known, mapped) = status switch
        {
            // Created; the shopper filled in missing data; scoring runs. Nothing decided yet.
            "new" or "data_completed" or "checking" => (true, (PaymentStatus?)null),
            "rejected" => (true, PaymentStatus.Failed),
            "accepted" => (true, PaymentStatus.Authorized),

            // Cancelled by the merchant before activation (v2's spelling, one l).
            "canceled" => (true, PaymentStatus.Cancelled),
            "activated" => (true, PaymentStatus.Succeeded),

            // Refunded in full (a partial refund leaves the order activated). Amounts refunded through us are
            // tracked by the host; this only moves an order that was refunded at Twisto directly.
            "refunded" => (true, PaymentStatus.Refunded),
            "error" => (true, PaymentStatus.Failed),
            _ => (false, (PaymentStatus?)null),
        };
        return known;
    }

    /// <summary>
    /// A v4 charge <c>state</c>, as <c>POST /charges</c> answers it. A rejected or failed charge leaves the checkout
    /// approved ("If checkout is not approved, /charges will be rejected"), so it changes nothing here; the caller
    /// reports why.
    /// </summary>
    public static bool TryMapCharge(string? state, out PaymentStatus? status)
    {
        (var known, status) = state switch
        {
            "authorised" or "authorized" => (true, PaymentStatus.Authorized),
            "captured" => (true, PaymentStatus.Succeeded),
            "cancelled" => (true, PaymentStatus.Cancelled),
            "refunded" => (true, PaymentStatus.Refunded),
            "rejected" or "error" => (true, (PaymentStatus?)null),
            _ => (false, (PaymentStatus?)null),
        };
        return known;
    }

    /// <summary>The state word of either version, mapped by the version's table.</summary>
    public static bool TryMap(string apiVersion, string? word, out PaymentStatus? status) =>
        apiVersion == TwistoOptions.V2 ? TryMapOrder(word, out status) : TryMapCheckout(word, out status);
}
