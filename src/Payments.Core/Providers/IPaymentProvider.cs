using Payments.Core.Orders;
using Payments.Core.Validation;

namespace Payments.Core.Providers;

/// <summary>What a provider can do for an order. The API answers 422 for anything missing, before writing.</summary>
[Flags]
public enum ProviderCapabilities
{
    None = 0,
    Create = 1 << 0,
    Return = 1 << 1,
    Webhook = 1 << 2,
    Capture = 1 << 3,
    Refund = 1 << 4,
    Cancel = 1 << 5,
    Upsell = 1 << 6,
    Recurring = 1 << 7,
    Customers = 1 << 8,
}

/// <summary>
/// One payment provider's API, seen from the order flow. Each provider lives in its own folder with its
/// client, its wire models and exactly one status mapping; this is the only face the rest of the app sees.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The lower-case name used in the API and in URLs: "next", "twisto", "mangopay", "neuropay".</summary>
    string Name { get; }

    ProviderCapabilities Capabilities { get; }

    /// <summary>The provider's own limits on an order (currency, lengths, minimum amount). Reported as 422s.</summary>
    IEnumerable<ValidationIssue> Validate(OrderDraft draft);

    /// <summary>
    /// True when <see cref="CreateSessionAsync"/> may be called again for the same order and the provider then answers
    /// with the session it opened the first time (it dedupes on a key derived from our order id) instead of opening a
    /// second one. The one place that decides what becomes of an order whose create was cut off before its payment
    /// session was recorded (<see cref="Order.AwaitingProviderSession"/>): asked again when true, failed otherwise
    /// (its redirect URL never reached the storefront, so no shopper can have paid). False unless a provider says so.
    /// </summary>
    bool SessionCreationIsIdempotent => false;

    /// <summary>
    /// True when a notification may name only the provider's reference, so the reference is linked to the order in the
    /// insert-only lookup (written at create, before the payment page is handed out, when the session has it; else when a
    /// confirmation first brings it). False when every notification leads to our order through the provider's own data
    /// (NEXT: the NEXT order's metadata carries our order id), so no lookup is written and nothing on the shopper's return
    /// waits for one. True unless a provider says otherwise.
    /// </summary>
    bool NeedsReferenceLookup => true;

    /// <summary>Opens a payment at the provider and returns where to send the shopper.</summary>
    /// <exception cref="ProviderException">The provider refused, failed or did not answer in time.</exception>
    Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Reads what the shopper's browser brought back. Pure parsing: the claim is never trusted, only used
    /// to find the provider's object, which <see cref="ConfirmAsync"/> then reads.
    /// </summary>
    ReturnEvidence ReadReturn(ReturnRequest request);

    /// <summary>Asks the provider for the true state of the order's payment.</summary>
    /// <param name="order">The order as stored, with the provider reference if one is known.</param>
    /// <param name="evidence">What a return or notification claimed, or null when reconciling.</param>
    /// <exception cref="ProviderException">The provider failed or did not answer in time.</exception>
    Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken);
}

/// <param name="ReturnUrl">Where the provider sends the shopper back (signed with the order's token).</param>
/// <param name="CancelUrl">Where a provider with a separate cancel page sends the shopper.</param>
/// <param name="WebhookUrl">Where a provider that notifies per payment should send notifications.</param>
public sealed record ProviderSessionRequest(Order Order, Uri ReturnUrl, Uri CancelUrl, Uri WebhookUrl);

/// <param name="ProviderReference">The provider's id for the payment, when it exists already at creation.</param>
/// <param name="RedirectUrl">Where to send the shopper.</param>
/// <param name="ExpiresAt">When the provider's payment session ends, if known.</param>
/// <param name="ProviderData">Facts worth keeping on the order.</param>
public sealed record ProviderSession(
    string? ProviderReference,
    string RedirectUrl,
    DateTimeOffset? ExpiresAt,
    IReadOnlyDictionary<string, string> ProviderData);

/// <summary>The shopper's return request: method, query string and urlencoded form fields.</summary>
public sealed record ReturnRequest(
    string Method,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Form,
    bool Cancelled);

public enum ClaimedOutcome
{
    Unknown,
    Paid,
    Failed,
    Cancelled,
}

/// <param name="ProviderReference">The provider id the return names, if any. Checked against the provider.</param>
/// <param name="Claim">What the return says happened. A hint, never a decision.</param>
public sealed record ReturnEvidence(string? ProviderReference, ClaimedOutcome Claim);

/// <summary>The provider's answer about a payment.</summary>
/// <param name="Status">The mapped status, or null for "no change" (an unknown or in-between provider status).</param>
/// <param name="ProviderStatus">The provider's own status word.</param>
/// <param name="ProviderReference">The provider's id for the payment, confirmed.</param>
/// <param name="Reason">Why it failed, in the provider's words, when it did.</param>
/// <param name="ProviderData">Facts worth keeping on the order.</param>
public sealed record ProviderPaymentState(
    PaymentStatus? Status,
    string? ProviderStatus,
    string? ProviderReference,
    string? Reason,
    IReadOnlyDictionary<string, string>? ProviderData = null);
