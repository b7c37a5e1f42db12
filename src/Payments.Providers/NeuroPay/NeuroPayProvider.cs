using System.Globalization;
using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.NeuroPay;

/// <summary>
/// Card payments through Neuro-Pay's (paiwise) hosted checkout: <c>create</c> a checkout, send the shopper to its
/// page, and on the shopper's return read it with <c>retrieve</c>. Neuro-Pay documents no webhook, so there is no
/// <see cref="IWebhookReceiver"/>: a payment whose shopper never comes back is settled by reconciliation, which
/// calls <see cref="ConfirmAsync"/> too. Capture, refund and cancel go through the checkout endpoints; saved
/// customers through the customer endpoints.
/// </summary>
/// <remarks>
/// The return: Neuro-Pay documents only that the browser is sent to <c>returnUrl</c> (or <c>returnUrlCancel</c>), not
/// whether it appends anything. We assume it appends nothing and confirm by the checkout id stored at creation; a
/// <c>checkout_id</c> (or <c>cid</c>) query parameter, should one come, is used only when no id is stored, and only
/// for a checkout whose metaData names the order. The simulator appends nothing.
/// One file per role: this one (session, return, confirmation), <c>.Operations</c> (<see cref="IPaymentOperations"/>),
/// <c>.Charges</c> (<see cref="IChargeOperations"/>) and <c>.Customers</c> (<see cref="ICustomerVault"/>).
/// </remarks>
public sealed partial class NeuroPayProvider(NeuroPayClient client, ILogger<NeuroPayProvider> logger) : IPaymentProvider
{
    public const string ProviderName = "neuropay";

    /// <summary>ProviderData keys.</summary>
    public const string CheckoutIdKey = "checkout_id";
    public const string CustomerIdKey = "customer_id";
    public const string AutomaticPaymentKey = "automatic_payment";
    public const string RefundedAmountKey = "refunded_amount";

    /// <summary>The provider status recorded when a cancel deleted a checkout and Neuro-Pay's answer named no status.</summary>
    public const string DeletedStatus = "deleted";

    /// <summary>Query (or form) fields a return might carry the checkout id in. Undocumented; a hint at most.</summary>
    public static readonly IReadOnlyList<string> ReturnIdFields = ["checkout_id", "cid"];

    private readonly ProviderConfirmation _confirmation = new(ProviderName, "Neuro-Pay checkout", logger);

    public string Name => ProviderName;

    /// <summary>
    /// Create + return (no webhook is documented); capture (capture=false reserves); refund, full or partial; cancel
    /// (delete while created, release while reserved); saved customers; recurring, as automatic payments with a saved
    /// card (customer_id + card_id on create).
    /// </summary>
    public ProviderCapabilities Capabilities =>
        ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Capture | ProviderCapabilities.Refund
        | ProviderCapabilities.Cancel | ProviderCapabilities.Customers | ProviderCapabilities.Recurring;

    /// <summary>Neuro-Pay's checkout create takes no idempotency key: a repeat would open a second checkout.</summary>
    public bool SessionCreationIsIdempotent => false;

    public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => NeuroPayOrderMapping.Validate(draft);

    /// <summary>
    /// Creates the checkout. The shopper goes to the checkout's page; an automatic payment with a saved card
    /// (customer_id + card_id) has no page and is decided at once, so the shopper is sent straight to our own return
    /// URL, which reads the checkout and forwards to successUrl or failureUrl like any other return.
    /// </summary>
    public async Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken)
    {
        var order = request.Order;
        var body = NeuroPayOrderMapping.ToCreateRequest(order, request.ReturnUrl, request.CancelUrl);
        var checkout = await client.CreateCheckoutAsync(body, cancellationToken);

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [CheckoutIdKey] = checkout.CheckoutId };
        if (body.CustomerId is { } customerId)
        {
            data[CustomerIdKey] = customerId;
        }

        string? redirect = null;
        if (NeuroPayOrderMapping.IsAutomaticPayment(order))
        {
            data[AutomaticPaymentKey] = "true";
            if (checkout.Status != NeuroPayStatusMapping.Created)
            {
                redirect = request.ReturnUrl.AbsoluteUri;
            }
        }

        if (redirect is null)
        {
            if (!ProviderUrls.IsWebUrl(checkout.Url, out var page))
            {
                // A checkout may exist at Neuro-Pay, but the shopper cannot get to it: the session failed. It stays
                // "created" at Neuro-Pay and is never paid.
                logger.LogWarning("Neuro-Pay checkout {CheckoutId} for order {OrderId} came without a usable page URL", checkout.CheckoutId, order.Id);
                throw NeuroPayClient.Unusable("create", "the checkout has no usable page url", checkout);
            }

            redirect = page.AbsoluteUri;
        }

        return new ProviderSession(checkout.CheckoutId, redirect, null, data);
    }

    /// <summary>
    /// Reads the shopper's return: the cancel URL claims Cancelled, anything else claims nothing (Neuro-Pay's return
    /// says nothing about the outcome). A checkout id in the query is picked up if it looks like one. Never throws.
    /// </summary>
    public ReturnEvidence ReadReturn(ReturnRequest request) => NeuroPayCallbacks.ReadReturn(request);

    /// <summary>
    /// Never trusts the return: reads the checkout (the id stored at creation, else the one the return names, which
    /// must then name the order in its metaData), checks it is ours, and maps its status. A cancel return whose
    /// checkout is still <c>created</c> changes nothing: Neuro-Pay has not confirmed a cancellation, and a return is
    /// never a reason to write at the provider.
    /// </summary>
    public async Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        var checkoutId = _confirmation.Reference(order, evidence);
        if (checkoutId is null)
        {
            return new ProviderPaymentState(null, null, null, $"No Neuro-Pay checkout is known for order {order.Id} yet");
        }

        if (await _confirmation.ReadAsync(order, checkoutId, linked: order.ProviderReference is not null,
                () => client.RetrieveCheckoutAsync(checkoutId, cancellationToken)) is not { } checkout)
        {
            return new ProviderPaymentState(null, null, null, $"Neuro-Pay has no checkout {checkoutId}");
        }

        if (NeuroPayOrderMapping.WhyNotOurs(checkout, order, requireOrderId: order.ProviderReference is null) is { } why)
        {
            logger.LogWarning("Neuro-Pay checkout {CheckoutId} is not the one created for order {OrderId}: {Why}", checkoutId, order.Id, why);
            return new ProviderPaymentState(null, null, null, $"Neuro-Pay checkout {checkoutId} is not this order's: {why}");
        }

        if (evidence?.Claim == ClaimedOutcome.Cancelled && checkout.Status == NeuroPayStatusMapping.Created)
        {
            logger.LogInformation("Order {OrderId}: the shopper came back through the cancel URL, but checkout {CheckoutId} is still created; no change",
                order.Id, checkoutId);
        }

        return State(checkout, order);
    }

    /// <summary>The checkout's state as ours: the status mapped once, the reason for an unhappy end, the facts worth keeping.</summary>
    private ProviderPaymentState State(NeuroPayCheckout checkout, Order order)
    {
        if (!NeuroPayStatusMapping.TryMap(checkout.Status, out var status))
        {
            logger.LogWarning("Neuro-Pay checkout {CheckoutId} has unknown status {Status}; no change for order {OrderId}",
                checkout.CheckoutId, checkout.Status, order.Id);
        }

        var reason = status is PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired
            ? $"Neuro-Pay status is {checkout.Status}"
            : null;
        return new ProviderPaymentState(status, checkout.Status, checkout.CheckoutId, reason, Data(checkout));
    }

    private static Dictionary<string, string> Data(NeuroPayCheckout checkout)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [CheckoutIdKey] = checkout.CheckoutId };
        if (checkout.RefundedAmount is { } refunded)
        {
            data[RefundedAmountKey] = refunded.ToString(CultureInfo.InvariantCulture);
        }

        return data;
    }

    private async Task<NeuroPayCheckout?> TryRetrieveAsync(string checkoutId, CancellationToken cancellationToken)
    {
        try
        {
            return await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName))
        {
            logger.LogWarning("Could not read Neuro-Pay checkout {CheckoutId} again: {Failure}", checkoutId, ex.Failure);
            return null;
        }
    }

    private static string RequireCheckout(Order order) =>
        order.ProviderReference ?? throw NeuroPayClient.NoCheckout(order.Id);
}
