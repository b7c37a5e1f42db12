using System.Globalization;
using Microsoft.Extensions.Logging;
using Payments.Core.Charges;
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
/// </remarks>
public sealed class NeuroPayProvider(NeuroPayClient client, ILogger<NeuroPayProvider> logger)
    : IPaymentProvider, IPaymentOperations, ICustomerVault, IChargeOperations
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
            if (!Uri.TryCreate(checkout.Url, UriKind.Absolute, out var page) || (page.Scheme != Uri.UriSchemeHttps && page.Scheme != Uri.UriSchemeHttp))
            {
                // A checkout may exist at Neuro-Pay, but the shopper cannot get to it: the session failed. It stays
                // "created" at Neuro-Pay and is never paid.
                logger.LogWarning("Neuro-Pay checkout {CheckoutId} for order {OrderId} came without a usable page URL", checkout.CheckoutId, order.Id);
                throw client.Unusable("create", "the checkout has no usable page url", checkout);
            }

            redirect = page.AbsoluteUri;
        }

        return new ProviderSession(checkout.CheckoutId, redirect, null, data);
    }

    /// <summary>
    /// Reads the shopper's return: the cancel URL claims Cancelled, anything else claims nothing (Neuro-Pay's return
    /// says nothing about the outcome). A checkout id in the query is picked up if it looks like one. Never throws.
    /// </summary>
    public ReturnEvidence ReadReturn(ReturnRequest request)
    {
        string? id = null;
        foreach (var field in ReturnIdFields)
        {
            if ((request.Query.TryGetValue(field, out var value) || request.Form.TryGetValue(field, out value)) && NeuroPayIds.IsValid(value))
            {
                id = value;
                break;
            }
        }

        return new ReturnEvidence(id, request.Cancelled ? ClaimedOutcome.Cancelled : ClaimedOutcome.Unknown);
    }

    /// <summary>
    /// Never trusts the return: reads the checkout (the id stored at creation, else the one the return names, which
    /// must then name the order in its metaData), checks it is ours, and maps its status. A cancel return whose
    /// checkout is still <c>created</c> changes nothing: Neuro-Pay has not confirmed a cancellation, and a return is
    /// never a reason to write at the provider.
    /// </summary>
    public async Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        var checkoutId = order.ProviderReference ?? evidence?.ProviderReference;
        if (checkoutId is null)
        {
            return new ProviderPaymentState(null, null, null, $"No Neuro-Pay checkout is known for order {order.Id} yet");
        }

        if (order.ProviderReference is not null && evidence?.ProviderReference is { } claimed && claimed != order.ProviderReference)
        {
            logger.LogWarning("Return for order {OrderId} names Neuro-Pay checkout {Claimed}, but the order is linked to {Linked}; confirming the linked one",
                order.Id, claimed, order.ProviderReference);
        }

        NeuroPayCheckout checkout;
        try
        {
            checkout = await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        }
        catch (NeuroPayException ex) when (ex.Failure == ProviderFailure.NotFound && order.ProviderReference is null)
        {
            logger.LogWarning("Return for order {OrderId} names Neuro-Pay checkout {CheckoutId}, which Neuro-Pay does not know", order.Id, checkoutId);
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

    /// <summary>
    /// <c>capture</c> of a <c>reserved</c> checkout. Not retried: when the answer is a refusal or never comes, the
    /// checkout is read again, and one already <c>paid</c> (a capture that went through, or an earlier one) counts.
    /// </summary>
    public async Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken)
    {
        var checkoutId = RequireCheckout(order);
        try
        {
            return State(await client.CaptureAsync(checkoutId, cancellationToken), order);
        }
        catch (NeuroPayException ex) when (ex.Failure != ProviderFailure.NotFound)
        {
            var now = await TryRetrieveAsync(checkoutId, cancellationToken);
            if (now?.Status is NeuroPayStatusMapping.Paid or NeuroPayStatusMapping.PartialRefund or NeuroPayStatusMapping.Refunded)
            {
                logger.LogInformation("Capture of checkout {CheckoutId} answered {Failure}, but the checkout is {Status}: captured",
                    checkoutId, ex.Failure, now.Status);
                return State(now, order);
            }

            throw;
        }
    }

    /// <summary>
    /// <c>refund</c> with the amount, the reason in Neuro-Pay's words and the comment as <c>refundDetails</c>.
    /// Neuro-Pay takes no idempotency key and has no refund id: the refund service sends each refund once, one refund of
    /// an order at a time, and settles one whose answer was lost with <see cref="FindRefundAsync"/>. The checkout is read
    /// first: when it already shows more refunded than every refund we recorded, nothing is sent (the refund fails with
    /// that reason, for a human), since the totals could no longer tell what a refund did.
    /// </summary>
    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        var checkoutId = RequireCheckout(order);
        NeuroPayCheckout before;
        try
        {
            before = await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        }
        catch (NeuroPayException ex) when (!ex.NotSent)
        {
            throw new NeuroPayException(Http.ProviderFailureInfo.BeforeSending(ex));
        }

        var ours = Core.Refunds.RefundRules.HeldByOthers(order, request.RefundId);
        if (RefundedTotal(before, order) is { } refunded && refunded > ours)
        {
            logger.LogWarning("Neuro-Pay checkout {CheckoutId} shows {Refunded} refunded, more than the {Ours} we recorded; refund {RefundId} of order {OrderId} is not sent",
                checkoutId, refunded, ours, request.RefundId, order.Id);
            return new ProviderRefundResult(null, RefundOutcome.Failed, before.Status,
                "The Neuro-Pay checkout shows more refunded than this service recorded; not sent until someone reconciles it at Neuro-Pay");
        }

        var body = new NeuroPayRefundRequest
        {
            CheckoutId = checkoutId,
            Amount = request.AmountMinor,
            Reason = NeuroPayOrderMapping.RefundReason(request.Reason),
            RefundDetails = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment,
        };

        var after = await client.RefundAsync(body, cancellationToken);
        var outcome = after.Status switch
        {
            NeuroPayStatusMapping.Refunded or NeuroPayStatusMapping.PartialRefund or NeuroPayStatusMapping.ReserveReleased => RefundOutcome.Succeeded,
            NeuroPayStatusMapping.Failed => RefundOutcome.Failed,

            // Accepted (2xx) but the checkout does not show it yet.
            _ => RefundOutcome.Pending,
        };
        return new ProviderRefundResult(null, outcome, after.Status, outcome == RefundOutcome.Failed ? $"Neuro-Pay status is {after.Status}" : null);
    }

    /// <summary>
    /// Calls off a payment that has taken no money: a <c>created</c> checkout is deleted (documented only while
    /// created), a <c>reserved</c> one is released with a refund without amount ("reserve released"). A checkout
    /// already closed is reported as it is; one that was paid meanwhile is reported as paid (its state is returned,
    /// not hidden), since there is nothing to cancel: it needs a refund.
    /// </summary>
    public async Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } checkoutId)
        {
            // No checkout was ever opened (or its creation's outcome is unknown): nothing at Neuro-Pay to call off.
            return new ProviderPaymentState(PaymentStatus.Cancelled, null, null, "Cancelled before a Neuro-Pay checkout was opened");
        }

        var checkout = await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        try
        {
            switch (checkout.Status)
            {
                case NeuroPayStatusMapping.Created:
                    var deleted = await client.DeleteCheckoutAsync(checkoutId, cancellationToken);
                    var word = deleted?.Status is { } s && NeuroPayStatusMapping.IsClosedUnpaid(s) ? s : DeletedStatus;
                    return new ProviderPaymentState(PaymentStatus.Cancelled, word, checkoutId, "Deleted at Neuro-Pay before payment", Data(deleted ?? checkout));
                case NeuroPayStatusMapping.Reserved:
                    return State(await client.RefundAsync(new NeuroPayRefundRequest { CheckoutId = checkoutId }, cancellationToken), order);
            }
        }
        catch (NeuroPayException ex) when (ex.Failure != ProviderFailure.NotFound)
        {
            // Refused or unknown: the shopper may have paid in between. Report what the checkout says now, unless that
            // is still the state we tried to leave.
            var now = await TryRetrieveAsync(checkoutId, cancellationToken);
            if (now is null || now.Status == checkout.Status)
            {
                throw;
            }

            checkout = now;
        }

        if (!NeuroPayStatusMapping.IsClosedUnpaid(checkout.Status))
        {
            logger.LogWarning("Cancel of order {OrderId}: Neuro-Pay checkout {CheckoutId} is {Status}, which cannot be cancelled; reporting it as it is",
                order.Id, checkoutId, checkout.Status);
        }

        return State(checkout, order);
    }

    /// <summary>Neuro-Pay takes no idempotency key: a recurring checkout that may have been created is never created again.</summary>
    public bool ChargesAreIdempotent => false;

    public IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft) => NeuroPayOrderMapping.ValidateCharge(order, draft);

    /// <summary>Not offered (no <see cref="ProviderCapabilities.Upsell"/>): a checkout cannot be added to.</summary>
    public Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Neuro-Pay does not offer upsells.");

    /// <summary>
    /// A recurring charge: a new checkout paid at once with the customer's saved card (<c>customer_id</c> + <c>card_id</c>).
    /// The card is the order's <c>providerOptions.cardId</c>, else the customer's default saved card (the one the shopper
    /// saved while paying the first order), else the first. The checkout's status decides: paid succeeded; failed,
    /// canceled, revoked failed; anything else is undecided (needs review).
    /// </summary>
    public async Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        if (!order.ProviderOptions.TryGetValue(NeuroPayOrderMapping.CustomerIdOption, out var customerId))
        {
            return new ProviderChargeResult(ChargeOutcome.Failed, null, null, "the order names no Neuro-Pay customer");
        }

        if (!order.ProviderOptions.TryGetValue(NeuroPayOrderMapping.CardIdOption, out var cardId))
        {
            var customer = await client.RetrieveCustomerAsync(customerId, cancellationToken);
            cardId = (customer.SavedCards.FirstOrDefault(c => c.IsDefault) ?? (customer.SavedCards.Count > 0 ? customer.SavedCards[0] : null))?.CardId;
            if (cardId is null)
            {
                return new ProviderChargeResult(ChargeOutcome.Failed, null, null, $"Neuro-Pay customer {customerId} has no saved card");
            }
        }

        var checkout = await client.CreateCheckoutAsync(NeuroPayOrderMapping.ToRecurringRequest(order, charge, customerId, cardId), cancellationToken);
        NeuroPayStatusMapping.TryMap(checkout.Status, out var status);
        return status switch
        {
            PaymentStatus.Succeeded => new ProviderChargeResult(ChargeOutcome.Succeeded, checkout.CheckoutId, checkout.Status),
            PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired => new ProviderChargeResult(ChargeOutcome.Failed, checkout.CheckoutId,
                checkout.Status, $"Neuro-Pay status is {checkout.Status}"),
            _ => new ProviderChargeResult(ChargeOutcome.Undecided, checkout.CheckoutId, checkout.Status,
                $"Neuro-Pay checkout {checkout.CheckoutId} is {checkout.Status ?? "(no status)"}; check it at Neuro-Pay"),
        };
    }

    public async Task<SavedCustomer> CreateCustomerAsync(NewCustomer customer, CancellationToken cancellationToken)
    {
        var created = await client.CreateCustomerAsync(new NeuroPayCreateCustomerRequest
        {
            FirstName = customer.FirstName,
            LastName = customer.LastName,
            Email = customer.Email,
            MetaData = customer.Metadata.Count == 0 ? null : customer.Metadata,
        }, cancellationToken);
        return ToSavedCustomer(created);
    }

    public async Task<SavedCustomer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        if (!NeuroPayIds.IsValid(customerId))
        {
            return null;
        }

        try
        {
            return ToSavedCustomer(await client.RetrieveCustomerAsync(customerId, cancellationToken));
        }
        catch (NeuroPayException ex) when (ex.Failure == ProviderFailure.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        if (!NeuroPayIds.IsValid(customerId))
        {
            return false;
        }

        try
        {
            await client.DeleteCustomerAsync(customerId, cancellationToken);
            return true;
        }
        catch (NeuroPayException ex) when (ex.Failure == ProviderFailure.NotFound)
        {
            return false;
        }
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

    /// <summary>
    /// A lost refund answer, settled from the checkout's refunded total (see
    /// <see cref="Core.Refunds.RefundRules.FromRefundedTotal"/>): never by refunding again. Without a refunded total (the
    /// field is undocumented) the checkout cannot tell, and the refund is left for a human.
    /// </summary>
    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        var checkout = await client.RetrieveCheckoutAsync(RequireCheckout(order), cancellationToken);
        return RefundedTotal(checkout, order) is not { } refunded
            ? null
            : Core.Refunds.RefundRules.FindInRefundedTotal(order, refund, refunded, checkout.Status, "The Neuro-Pay checkout");
    }

    /// <summary>
    /// What the checkout says was refunded: its refunded total when it reports one (undocumented field), else the whole
    /// amount when it is <c>refunded</c>, nothing when it is <c>paid</c>; null when it cannot tell.
    /// </summary>
    private static long? RefundedTotal(NeuroPayCheckout checkout, Order order) =>
        checkout.RefundedAmount
        ?? checkout.Status switch
        {
            NeuroPayStatusMapping.Refunded => order.Amount.Minor,
            NeuroPayStatusMapping.Paid => 0,
            _ => null,
        };

    private async Task<NeuroPayCheckout?> TryRetrieveAsync(string checkoutId, CancellationToken cancellationToken)
    {
        try
        {
            return await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        }
        catch (NeuroPayException ex)
        {
            logger.LogWarning("Could not read Neuro-Pay checkout {CheckoutId} again: {Failure}", checkoutId, ex.Failure);
            return null;
        }
    }

    private string RequireCheckout(Order order) =>
        order.ProviderReference ?? throw client.NoCheckout(order.Id);

    private static SavedCustomer ToSavedCustomer(NeuroPayCustomer c) => new(
        c.CustomerId, c.FirstName, c.LastName, c.Email, c.ClientPage,
        c.SavedCards.Select(card => new SavedCard(card.CardId, card.Brand, card.Last4, card.Expiry, card.IsDefault)).ToList(),
        c.MetaData);
}
