using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.Next;

/// <summary>
/// TWINT through NEXT Commerce's Admin API (redirect flow): create an order with <c>payment_method = twint</c>,
/// send the shopper to <c>payment_complete_url</c>, and take NEXT's POST of the order back to the return URL as a
/// hint that is always checked with <c>GET /orders/{number}/</c>.
/// </summary>
public sealed class NextProvider(
    NextClient client,
    IOptionsMonitor<NextOptions> options,
    NextWebhookVerifier webhooks,
    TimeProvider clock,
    ILogger<NextProvider> logger) : IPaymentProvider, IWebhookReceiver, IChargeOperations, IPaymentOperations
{
    public const string ProviderName = "next";

    /// <summary>The form field NEXT posts to <c>payment_return_url</c>: the order JSON as a string, or <c>{}</c>.</summary>
    public const string ResponseField = "response";

    /// <summary>How long a TWINT payment session stays open (DESIGN §6: reconciliation looks after this).</summary>
    public static readonly TimeSpan TwintSessionLifetime = TimeSpan.FromMinutes(15);

    /// <summary>ProviderData keys.</summary>
    public const string ReferenceTransactionIdKey = "reference_transaction_id";
    public const string OrderNumberKey = "order_number";
    public const string IsTestKey = "is_test";
    public const string SubscriptionIdKey = "subscription_id";

    /// <summary>The provider status recorded when NEXT reported that it created no order (the <c>{}</c> return).</summary>
    public const string NoOrderStatus = "no_order";

    public string Name => ProviderName;

    /// <summary>
    /// What this adapter does with NEXT's API for TWINT: create + return + signed webhooks; upsells
    /// (ordersAddLineItemsCreate, which the TWINT guide lists); recurring (subscription lines, renewed by NEXT);
    /// refund (<c>/orders/{number}/refund/</c>) and cancel (<c>/orders/{number}/cancel/</c>).
    /// Not capture: TWINT through NEXT is documented as a one-step payment. Not saved customers.
    /// </summary>
    public ProviderCapabilities Capabilities =>
        ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Webhook | ProviderCapabilities.Upsell
        | ProviderCapabilities.Recurring | ProviderCapabilities.Refund | ProviderCapabilities.Cancel;

    /// <summary>
    /// No reference lookup for NEXT: its order number arrives only with the shopper's return, and every NEXT webhook leads
    /// to our order through the NEXT order's metadata (order events carry it; for a transaction event,
    /// <see cref="FindOrderIdAsync"/> reads the NEXT order), so the return writes nothing but the order.
    /// </summary>
    public bool NeedsReferenceLookup => false;

    /// <summary>
    /// Our order id for a webhook that names only a NEXT order number (transaction events): the metadata of that NEXT
    /// order, as NEXT has it. Null when NEXT does not know the number or the order names none of ours. Settling then
    /// reads the order again and checks it (metadata, currency, total) as for every confirmation.
    /// </summary>
    public async Task<string?> FindOrderIdAsync(WebhookReading reading, CancellationToken cancellationToken)
    {
        if (reading.ProviderReference is not { } number || !NextOrderMapping.IsOrderNumber(number))
        {
            return null;
        }

        NextOrder next;
        try
        {
            next = await client.GetOrderAsync(number, cancellationToken);
        }
        catch (NextException ex) when (ex.Failure == ProviderFailure.NotFound)
        {
            return null;
        }

        return next.Metadata is not null && next.Metadata.TryGetValue(options.CurrentValue.OrderIdMetadataKey, out var id)
            && JsonText.TryGetString(id, out var named) && PaymentService.IsOrderId(named) ? named : null;
    }

    /// <summary>NEXT's order create takes no idempotency key: a repeat would open a second NEXT order.</summary>
    public bool SessionCreationIsIdempotent => false;

    public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => NextOrderMapping.Validate(draft);

    public async Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken)
    {
        var body = NextOrderMapping.ToCreateRequest(request.Order, request.ReturnUrl, options.CurrentValue);
        var created = await client.CreateOrderAsync(body, cancellationToken);
        if (!Uri.TryCreate(created.PaymentCompleteUrl, UriKind.Absolute, out var redirect)
            || (redirect.Scheme != Uri.UriSchemeHttps && redirect.Scheme != Uri.UriSchemeHttp))
        {
            // NEXT may have created an order, but the shopper cannot get to TWINT: the session failed.
            throw new NextException(new Http.ProviderFailureInfo(ProviderName, ProviderFailure.Unavailable,
                "next: POST /api/admin/orders/ answered without a usable payment_complete_url.", (int)HttpStatusCode.Created,
                null, JsonSerializer.Serialize(created, NextJson.Options), null));
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (created.ReferenceTransactionId is { Length: > 0 } reference)
        {
            data[ReferenceTransactionIdKey] = reference;
        }

        var number = NextOrderMapping.IsOrderNumber(created.Number) ? created.Number : null;
        if (number is not null)
        {
            data[OrderNumberKey] = number;
        }

        return new ProviderSession(number, redirect.AbsoluteUri, clock.GetUtcNow() + TwintSessionLifetime, data);
    }

    /// <summary>
    /// Reads NEXT's return POST: the urlencoded field <c>response</c> holds the order JSON as a string, or
    /// <c>{}</c> when payment collection failed and no order was created. Anything missing or unparseable is an
    /// Unknown claim; nothing here throws.
    /// </summary>
    public ReturnEvidence ReadReturn(ReturnRequest request)
    {
        if (!request.Form.TryGetValue(ResponseField, out var json) || string.IsNullOrWhiteSpace(json))
        {
            return new ReturnEvidence(null, ClaimedOutcome.Unknown);
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            JsonText.EnsureValid(root);
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ReturnEvidence(null, ClaimedOutcome.Unknown);
            }

            if (!root.EnumerateObject().Any())
            {
                return new ReturnEvidence(null, ClaimedOutcome.Failed);
            }

            var number = root.TryGetProperty("number", out var n) && n.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? (n.ValueKind == JsonValueKind.String ? JsonText.GetString(n) : n.GetRawText())
                : null;
            if (!NextOrderMapping.IsOrderNumber(number))
            {
                // An order without a usable number cannot be checked, so it claims nothing.
                return new ReturnEvidence(null, ClaimedOutcome.Unknown);
            }

            var paymentStatus = root.TryGetProperty("payment_status", out var s) && s.ValueKind == JsonValueKind.String ? JsonText.GetString(s) : null;
            NextStatusMapping.TryMap(paymentStatus, out var claimed);
            var claim = claimed switch
            {
                PaymentStatus.Succeeded or PaymentStatus.Authorized => ClaimedOutcome.Paid,
                PaymentStatus.Cancelled => ClaimedOutcome.Cancelled,
                PaymentStatus.Expired => ClaimedOutcome.Failed,
                _ => ClaimedOutcome.Unknown,
            };
            return new ReturnEvidence(number, claim);
        }
        catch (JsonException)
        {
            return new ReturnEvidence(null, ClaimedOutcome.Unknown);
        }
    }

    /// <summary>
    /// NEXT webhooks are signed (<c>X-29Next-Signature</c>): anything unsigned, or signed with another secret, is
    /// refused. Order and transaction events name a NEXT order; the flow then reads that order and checks it is ours.
    /// </summary>
    public WebhookReading ReadWebhook(WebhookRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "NEXT webhooks are POSTs");
        }

        request.Headers.TryGetValue(NextWebhookVerifier.SignatureHeader, out var signature);
        if (!webhooks.IsAuthentic(request.Body, signature))
        {
            return new WebhookReading(WebhookVerdict.Unauthenticated, Detail: "missing or wrong X-29Next-Signature");
        }

        var envelope = webhooks.Read(request.Body);
        if (envelope is null)
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "not a NEXT webhook envelope");
        }

        if (envelope.OrderNumber is null && envelope.OrderId is null)
        {
            return new WebhookReading(WebhookVerdict.Ignored, envelope.EventId, Detail: $"event {envelope.EventType} names no order");
        }

        return new WebhookReading(WebhookVerdict.Accepted, envelope.EventId, envelope.OrderNumber, envelope.OrderId,
            new ReturnEvidence(envelope.OrderNumber, ClaimedOutcome.Unknown));
    }

    /// <summary>
    /// Never trusts the return: reads the NEXT order (the stored number first, else the one the return names),
    /// checks it is ours (metadata, currency, total), and only then maps its <c>payment_status</c>. An order that
    /// is not ours, or a number NEXT does not know, changes nothing.
    /// </summary>
    public async Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        var number = order.ProviderReference ?? evidence?.ProviderReference;
        if (number is null)
        {
            return ConfirmWithoutOrderNumber(order, evidence);
        }

        if (order.ProviderReference is not null && evidence?.ProviderReference is { } claimedNumber && claimedNumber != order.ProviderReference)
        {
            logger.LogWarning("Return for order {OrderId} names NEXT order {Claimed}, but the order is linked to {Linked}; confirming the linked one",
                order.Id, claimedNumber, order.ProviderReference);
        }

        NextOrder next;
        try
        {
            next = await client.GetOrderAsync(number, cancellationToken);
        }
        catch (NextException ex) when (ex.Failure == ProviderFailure.NotFound && order.ProviderReference is null)
        {
            logger.LogWarning("Return for order {OrderId} names NEXT order {Number}, which NEXT does not know", order.Id, number);
            return Refused($"NEXT has no order {number}");
        }

        var settings = options.CurrentValue;
        if (NextOrderMapping.WhyNotOurs(next, order, settings.OrderIdMetadataKey) is { } why)
        {
            logger.LogWarning("NEXT order {Number} is not the one created for order {OrderId}: {Why}", number, order.Id, why);
            return Refused($"NEXT order {number} is not this order's: {why}");
        }

        if (!NextStatusMapping.TryMap(next.PaymentStatus, out var status))
        {
            logger.LogWarning("NEXT order {Number} has unknown payment_status {PaymentStatus}; no change for order {OrderId}",
                number, next.PaymentStatus, order.Id);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [OrderNumberKey] = number };
        if (next.IsTest is { } isTest)
        {
            data[IsTestKey] = isTest ? "true" : "false";
        }

        if (next.Subscriptions?.FirstOrDefault(s => s.Id is not null)?.Id is { } subscriptionId)
        {
            data[SubscriptionIdKey] = subscriptionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var reason = status is PaymentStatus.Failed or PaymentStatus.Expired or PaymentStatus.Cancelled
            ? $"NEXT payment_status is {next.PaymentStatus}"
            : null;
        return new ProviderPaymentState(status, next.PaymentStatus, number, reason, data);
    }

    /// <summary>NEXT takes no idempotency key: a charge call that may have reached it is never repeated.</summary>
    public bool ChargesAreIdempotent => false;

    public IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft) => NextOrderMapping.ValidateCharge(order, draft);

    /// <summary>
    /// <c>POST /orders/{number}/add-line-items/</c> with the charge's lines (<c>is_upsell</c>): NEXT charges the order's
    /// original payment method. The answer is the order; the newest transaction says whether the charge went through
    /// (<c>succeeded</c>/<c>failed</c>; anything else is undecided and left for review). A 4xx is NEXT refusing (failed).
    /// </summary>
    public async Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        var number = order.ProviderReference
            ?? throw new InvalidOperationException($"Order {order.Id} has no NEXT order number; the charge should have been refused.");
        var settings = options.CurrentValue;
        var body = new NextAddLineItemsRequest
        {
            Lines = NextOrderMapping.ToLines(charge.Items, order.Amount.Currency.Exponent, subscription: null, isUpsell: true),
            PaymentDetails = (order.ProviderOptions.ContainsKey(NextOrderMapping.PaymentGatewayOption) || settings.PaymentGateway is not null)
                ? new NextAddLineItemsPaymentDetails
                {
                    PaymentGateway = NextOrderMapping.GatewayOption(order) ?? settings.PaymentGateway,
                }
                : null,
        };
        var next = await client.AddLineItemsAsync(number, body, cancellationToken);
        var transaction = next.Transactions?.Where(t => t.Id is not null).MaxBy(t => t.Id);
        return transaction?.Status switch
        {
            "succeeded" => new ProviderChargeResult(ChargeOutcome.Succeeded, TransactionReference(number, transaction), next.PaymentStatus),
            "failed" => new ProviderChargeResult(ChargeOutcome.Failed, TransactionReference(number, transaction), next.PaymentStatus,
                $"NEXT declined the upsell (transaction response_code {transaction.ResponseCode})"),
            _ => new ProviderChargeResult(ChargeOutcome.Undecided, number, next.PaymentStatus,
                "NEXT added the lines but its answer shows no settled transaction; check the order at NEXT"),
        };
    }

    /// <summary>
    /// Renews the order's NEXT subscription: <c>POST /subscriptions/{id}/renew/</c> ("trigger a subscription renewal
    /// order"), then reads the renewal order NEXT lists for the newest billing cycle and maps its <c>payment_status</c>.
    /// </summary>
    /// <remarks>
    /// What the 2024-04-01 spec leaves open, decided here in one place:
    /// <list type="bullet">
    /// <item>NEXT also renews subscriptions by itself on <c>next_renewal_date</c>. Before an automatic renewal (a charge
    /// with a billing cycle) the subscription is read first, and when NEXT already lists an order for that cycle it is
    /// taken as the result instead of renewing again, so the two schedulers cannot charge one cycle twice. A store that
    /// lets this service drive renewals should still keep NEXT's own schedule at or after ours.</item>
    /// <item>The renew answer is the SubscriptionDetail; whether the renewal order is already paid when it returns is not
    /// documented. A renewal order still pending is recorded as undecided (needs review), never renewed again.</item>
    /// <item>A subscription that ends <c>past_due</c> or <c>retrying</c> without a paid renewal order is a declined
    /// renewal (failed).</item>
    /// </list>
    /// </remarks>
    public async Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        var subscriptionId = await SubscriptionIdAsync(order, cancellationToken);
        if (subscriptionId is not { } id)
        {
            return new ProviderChargeResult(ChargeOutcome.Failed, null, null, $"NEXT order {order.ProviderReference ?? "(unknown)"} has no subscription to renew");
        }

        // Read first: the cycles NEXT already has tell a new renewal order from an old one, and NEXT's own scheduler may
        // have renewed this cycle already.
        var current = await client.GetSubscriptionAsync(id, cancellationToken);
        var known = current.Orders?.Where(o => o.OrderNumber is not null).Max(o => o.BillingCycle) ?? 0;
        var subscription = current;
        var renewal = charge.Cycle is { } cycle ? current.Orders?.FirstOrDefault(o => o.BillingCycle == cycle && o.OrderNumber is not null) : null;
        if (renewal is not null)
        {
            logger.LogInformation("NEXT subscription {SubscriptionId} already has an order for cycle {Cycle}; not renewing again", id, charge.Cycle);
        }
        else
        {
            subscription = await client.RenewSubscriptionAsync(id, cancellationToken);
            renewal = subscription.Orders?.Where(o => o.OrderNumber is not null && o.BillingCycle > known).MaxBy(o => o.BillingCycle);
        }

        if (renewal is null)
        {
            return subscription.Status is "past_due" or "retrying"
                ? new ProviderChargeResult(ChargeOutcome.Failed, null, subscription.Status, $"NEXT could not charge the renewal; the subscription is {subscription.Status}")
                : new ProviderChargeResult(ChargeOutcome.Undecided, null, subscription.Status, "NEXT answered the renewal without a new renewal order; check the subscription at NEXT");
        }

        var next = await client.GetOrderAsync(renewal.OrderNumber!, cancellationToken);
        NextStatusMapping.TryMap(next.PaymentStatus, out var status);
        return status switch
        {
            PaymentStatus.Succeeded => new ProviderChargeResult(ChargeOutcome.Succeeded, renewal.OrderNumber, next.PaymentStatus),
            PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired => new ProviderChargeResult(ChargeOutcome.Failed, renewal.OrderNumber,
                next.PaymentStatus, $"NEXT renewal order {renewal.OrderNumber} is {next.PaymentStatus}"),
            _ => new ProviderChargeResult(ChargeOutcome.Undecided, renewal.OrderNumber, next.PaymentStatus,
                $"NEXT renewal order {renewal.OrderNumber} is {next.PaymentStatus ?? "(no payment status)"}; check it at NEXT"),
        };
    }

    private async Task<long?> SubscriptionIdAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderData.TryGetValue(SubscriptionIdKey, out var text)
            && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var stored))
        {
            return stored;
        }

        if (order.ProviderReference is not { } number)
        {
            return null;
        }

        var next = await client.GetOrderAsync(number, cancellationToken);
        return next.Subscriptions?.FirstOrDefault(s => s.Id is not null)?.Id;
    }

    /// <summary>Not supported: TWINT through NEXT is a one-step payment, and Capture is not claimed.</summary>
    public Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken) =>
        throw new NotSupportedException("NEXT payments (TWINT) are one-step; there is nothing to capture.");

    /// <summary>
    /// Refunds through <c>POST /orders/{number}/refund/</c>, spreading the amount over the order's succeeded debit
    /// transactions (oldest first, each up to what is left of it).
    /// </summary>
    /// <remarks>
    /// What NEXT's 2024-04-01 spec leaves open, decided here in one place:
    /// <list type="bullet">
    /// <item>No idempotency key. The refund service sends each refund once and only one refund of an order at a time,
    /// and settles a refund whose answer was lost with <see cref="FindRefundAsync"/>, from NEXT's refunded total (the sum
    /// of the order's succeeded <c>refund</c> transactions).</item>
    /// <item>The order is read first (for its debit transactions). When NEXT already shows more refunded than every refund
    /// we recorded (a refund made in NEXT's dashboard, or one we lost track of), nothing is sent: the refund fails with
    /// that reason, for a human to reconcile, since the totals could no longer tell what a refund did.</item>
    /// <item>RefundOrder has no reason field: our reason, refund id and comment go into <c>note</c>.</item>
    /// <item>The Refund answer's fields beyond <c>id</c> are not relied on; a 200 is taken as the refund done.</item>
    /// </list>
    /// </remarks>
    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } number)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"Order {order.Id} has no NEXT order number to refund");
        }

        var currency = order.Amount.Currency;
        NextOrder next;
        try
        {
            next = await client.GetOrderAsync(number, cancellationToken);
        }
        catch (NextException ex) when (!ex.NotSent)
        {
            throw new NextException(Http.ProviderFailureInfo.BeforeSending(ex));
        }

        var transactions = next.Transactions ?? [];
        var refunds = transactions.Where(t => t.Type == "refund" && t.Status == "succeeded").ToList();
        var refundedAtNext = RefundedTotal(next, currency);
        var ours = Core.Refunds.RefundRules.HeldByOthers(order, request.RefundId);
        if (refundedAtNext > ours)
        {
            logger.LogWarning("NEXT order {Number} shows {RefundedAtNext} refunded, more than the {Ours} we recorded; refund {RefundId} is not sent",
                number, refundedAtNext, ours, request.RefundId);
            return new ProviderRefundResult(null, RefundOutcome.Failed, next.PaymentStatus,
                $"NEXT order {number} shows {Core.Money.Money.FormatMinor(refundedAtNext, currency.Exponent)} refunded, more than this service recorded; not sent until someone reconciles the order at NEXT");
        }

        var left = request.AmountMinor;
        var parts = new List<NextRefundTransactionRequest>();
        foreach (var debit in transactions.Where(t => t.Type == "debit" && t.Status == "succeeded" && t.Id is not null).OrderBy(t => t.Id))
        {
            if (left <= 0)
            {
                break;
            }

            if (!NextOrderMapping.TryParseAmount(debit.Amount, currency, out var paid))
            {
                continue;
            }

            var refundedOfDebit = refunds.Where(r => r.ParentId == debit.Id).Sum(r => NextOrderMapping.TryParseAmount(r.Amount, currency, out var m) ? m : 0);
            var take = Math.Min(left, paid - refundedOfDebit);
            if (take > 0)
            {
                parts.Add(new NextRefundTransactionRequest(debit.Id!.Value, Core.Money.Money.FormatMinor(take, currency.Exponent)));
                left -= take;
            }
        }

        if (left > 0)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, next.PaymentStatus,
                $"NEXT order {number} has not enough refundable payment left for {Core.Money.Money.FormatMinor(request.AmountMinor, currency.Exponent)}");
        }

        var note = string.Join(" ", new[] { request.Reason is null ? null : $"reason: {request.Reason};", $"refund {request.RefundId}", request.Comment }.Where(x => x is not null));
        var refund = await client.RefundOrderAsync(number, new NextRefundOrderRequest { Transactions = parts, Note = note }, cancellationToken);
        var refundId = refund.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProviderRefundResult(refundId is null ? null : $"{number}/{refundId}", RefundOutcome.Succeeded, "refund_created", null);
    }

    /// <summary>
    /// A lost refund answer, settled from NEXT's refunded total (see <see cref="Core.Refunds.RefundRules.FromRefundedTotal"/>):
    /// never by refunding again.
    /// </summary>
    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } number)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"Order {order.Id} has no NEXT order number: nothing was refunded");
        }

        var next = await client.GetOrderAsync(number, cancellationToken);
        return Core.Refunds.RefundRules.FindInRefundedTotal(order, refund, RefundedTotal(next, order.Amount.Currency), next.PaymentStatus, $"NEXT order {number}");
    }

    /// <summary>NEXT's refunded total: the sum of the order's succeeded refund transactions.</summary>
    private static long RefundedTotal(NextOrder next, Core.Money.Currency currency) =>
        (next.Transactions ?? []).Where(t => t.Type == "refund" && t.Status == "succeeded")
            .Sum(t => NextOrderMapping.TryParseAmount(t.Amount, currency, out var m) ? m : 0);

    /// <summary>
    /// Cancels through <c>POST /orders/{number}/cancel/</c> (without NEXT's <c>full_refund</c>), then maps the order's
    /// <c>payment_status</c> as <see cref="ConfirmAsync"/> does. With no NEXT order number yet there is nothing NEXT can
    /// cancel: NEXT creates the order only once the TWINT payment succeeded, so the answer is "no change" and the
    /// order stays as it is (the host already only cancels pending or authorized orders; the payment session expires
    /// on its own and reconciliation settles it).
    /// </summary>
    public async Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } number)
        {
            return new ProviderPaymentState(null, null, null, $"No NEXT order exists for order {order.Id} yet; nothing to cancel at NEXT");
        }

        var next = await client.CancelOrderAsync(number, cancellationToken);
        NextStatusMapping.TryMap(next.PaymentStatus, out var status);
        return new ProviderPaymentState(status, next.PaymentStatus, number,
            status == PaymentStatus.Cancelled ? $"NEXT payment_status is {next.PaymentStatus}" : null,
            new Dictionary<string, string>(StringComparer.Ordinal) { [OrderNumberKey] = number });
    }

    private static string TransactionReference(string number, NextTransaction transaction) =>
        $"{number}/{transaction.Id!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The one place that decides what a confirmation without a NEXT order number means. NEXT creates the order
    /// only once the TWINT payment succeeded, so there is nothing to read:
    /// <list type="bullet">
    /// <item>a <c>{}</c> return (claim Failed) is NEXT's documented signal that payment collection failed and no
    /// order was created: the order fails. The return URL is signed per order, so only the shopper's browser can
    /// post it; a shopper forging <c>{}</c> fails their own order, and a payment NEXT still takes afterwards
    /// arrives as a webhook for an order already failed (a terminal status is kept, so it needs a human).</item>
    /// <item>anything else (reconciliation, a return without a readable order) changes nothing: a payment may
    /// have succeeded with its return lost, and its NEXT order is only findable through its webhook.</item>
    /// </list>
    /// </summary>
    private static ProviderPaymentState ConfirmWithoutOrderNumber(Order order, ReturnEvidence? evidence) =>
        evidence?.Claim == ClaimedOutcome.Failed
            ? new ProviderPaymentState(PaymentStatus.Failed, NoOrderStatus, null,
                "NEXT reported that TWINT payment collection was unsuccessful; no NEXT order was created")
            : new ProviderPaymentState(null, null, null, $"No NEXT order number is known for order {order.Id} yet");

    private static ProviderPaymentState Refused(string reason) => new(null, null, null, reason);
}
