using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

/// <summary>
/// TWINT through Mangopay's Web pay-ins: create a TWINT pay-in, send the shopper to its <c>RedirectURL</c>, and take
/// the shopper's return (<c>ReturnURL?transactionId={PayInId}</c>) and Mangopay's hooks (<c>GET
/// ?EventType=…&amp;RessourceId=…&amp;Date=…</c>, unsigned) as hints that are always checked with <c>GET
/// /payins/{PayInId}</c>. Refunds through the pay-in refund endpoint. TWINT pay-ins have no preauthorization (so no
/// capture or cancel) and no recurring payments.
/// </summary>
/// <param name="links">The host's URL builder, when registered: lets <see cref="Validate"/> check the length of the
/// return URL before anything is written. Optional so that the provider also stands alone (tests).</param>
public sealed class MangopayProvider(
    MangopayClient client,
    IOptionsMonitor<MangopayOptions> options,
    TimeProvider clock,
    ILogger<MangopayProvider> logger,
    IPaymentLinks? links = null) : IPaymentProvider, IWebhookReceiver, IPaymentOperations
{
    public const string ProviderName = "mangopay";

    /// <summary>The query parameter Mangopay appends to <c>ReturnURL</c>.</summary>
    public const string TransactionIdParameter = "transactionId";

    /// <summary>Hook query parameters (Mangopay's spelling).</summary>
    public const string EventTypeParameter = "EventType";

    public const string RessourceIdParameter = "RessourceId";
    public const string DateParameter = "Date";

    /// <summary>The hook events acted on (the TWINT guide's).</summary>
    public const string PayInSucceededEvent = "PAYIN_NORMAL_SUCCEEDED";

    public const string PayInFailedEvent = "PAYIN_NORMAL_FAILED";

    /// <summary>"The TWINT session times out after 15 minutes for the hosted webpage."</summary>
    public static readonly TimeSpan TwintSessionLifetime = TimeSpan.FromMinutes(15);

    /// <summary>ProviderData keys.</summary>
    public const string ResultCodeKey = "result_code";

    public const string ResultMessageKey = "result_message";

    private readonly ProviderConfirmation _confirmation = new(ProviderName, "Mangopay pay-in", logger);

    public string Name => ProviderName;

    /// <summary>Create, return, hooks, refunds. Not capture or cancel (no preauthorization), not recurring, not upsells.</summary>
    public ProviderCapabilities Capabilities =>
        ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Webhook | ProviderCapabilities.Refund;

    /// <summary>The pay-in is created with an Idempotency-Key derived from our order id: a repeat answers the first pay-in.</summary>
    public bool SessionCreationIsIdempotent => true;

    public IEnumerable<ValidationIssue> Validate(OrderDraft draft)
    {
        Uri? returnUrl = null;
        if (links is not null)
        {
            // Every order's return URL has the same length (fixed-length id and token): a stand-in order tells.
            var now = clock.GetUtcNow();
            returnUrl = links.ReturnUrl(draft.ToOrder(PaymentService.NewOrderId(now), now));
        }

        return MangopayOrderMapping.Validate(draft, returnUrl);
    }

    public async Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var order = request.Order;
        if (request.ReturnUrl.AbsoluteUri.Length > MangopayOrderMapping.MaxReturnUrlLength)
        {
            throw Failure(ProviderFailure.Rejected,
                $"mangopay: the return URL is longer than Mangopay's {MangopayOrderMapping.MaxReturnUrlLength} characters; nothing was sent.");
        }

        var body = MangopayOrderMapping.ToCreateRequest(order, request.ReturnUrl, settings);
        var payIn = await client.CreateTwintPayInAsync(body, MangopayIdempotencyKeys.PayIn(order.Id), cancellationToken);
        if (!MangopayOptions.IsMangopayId(payIn.Id))
        {
            throw Failure(ProviderFailure.Unavailable, "mangopay: the TWINT pay-in was answered without a usable Id.", (int)HttpStatusCode.OK);
        }

        // A pay-in read back for our key (after a 409) must still be this order's.
        if (MangopayOrderMapping.WhyNotOurs(payIn, order with { ProviderReference = null }, settings) is { } why)
        {
            throw Failure(ProviderFailure.Rejected, $"mangopay: the TWINT pay-in Mangopay answered with is not this order's ({why}).", (int)HttpStatusCode.OK);
        }

        if (payIn.Status == "FAILED")
        {
            // E.g. ResultCode 002951 (a FlowDescriptor beneficiary not KYC-verified): Mangopay refused this payment.
            throw Failure(ProviderFailure.Rejected, $"mangopay: the TWINT pay-in was created FAILED (ResultCode {Code(payIn.ResultCode)}).",
                (int)HttpStatusCode.OK, payIn.ResultCode);
        }

        if (!ProviderUrls.IsWebUrl(payIn.RedirectUrl, out var redirect))
        {
            // Mangopay may have created a pay-in, but the shopper cannot get to TWINT: the session failed.
            throw Failure(ProviderFailure.Unavailable, "mangopay: the TWINT pay-in was answered without a usable RedirectURL.", (int)HttpStatusCode.OK);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MangopayOrderMapping.AuthorIdKey] = body.AuthorId,
            [MangopayOrderMapping.CreditedWalletIdKey] = body.CreditedWalletId,
        };

        // "Rely on the returned URL in full (host, path, and queries)": passed on exactly as received.
        return new ProviderSession(payIn.Id, payIn.RedirectUrl!, clock.GetUtcNow() + TwintSessionLifetime, data);
    }

    /// <summary>
    /// Reads the shopper's return: Mangopay appends <c>?transactionId={PayInId}</c> and nothing about the outcome, so the
    /// claim is always Unknown; a missing or malformed id names nothing. Never throws.
    /// </summary>
    public ReturnEvidence ReadReturn(ReturnRequest request) => MangopayCallbacks.ReadReturn(request);

    /// <summary>
    /// Never trusts the return or the hook: reads the pay-in (the order's own when known, else the one the evidence
    /// names), checks it is the order's (id, Tag, author, wallet, amount), and only then maps its <c>Status</c>. A
    /// pay-in that is not the order's, or one Mangopay does not know, changes nothing.
    /// </summary>
    public async Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        var payInId = _confirmation.Reference(order, evidence);
        if (payInId is null)
        {
            return Unchanged($"No Mangopay pay-in is known for order {order.Id} yet");
        }

        if (await _confirmation.ReadAsync(order, payInId, linked: order.ProviderReference is not null,
                () => client.GetPayInAsync(payInId, cancellationToken)) is not { } payIn)
        {
            return Unchanged($"Mangopay has no pay-in {payInId}");
        }

        if (MangopayOrderMapping.WhyNotOurs(payIn, order, options.CurrentValue) is { } why)
        {
            logger.LogWarning("Mangopay pay-in {PayInId} is not the one created for order {OrderId}: {Why}", payInId, order.Id, why);
            return Unchanged($"Mangopay pay-in {payInId} is not this order's: {why}");
        }

        if (!MangopayStatusMapping.TryMapPayIn(payIn.Status, out var status))
        {
            logger.LogWarning("Mangopay pay-in {PayInId} has unknown Status {Status}; no change for order {OrderId}", payInId, payIn.Status, order.Id);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(payIn.ResultCode))
        {
            data[ResultCodeKey] = payIn.ResultCode;
        }

        if (!string.IsNullOrEmpty(payIn.ResultMessage))
        {
            data[ResultMessageKey] = payIn.ResultMessage;
        }

        var reason = status == PaymentStatus.Failed ? Result("Mangopay pay-in FAILED", payIn.ResultCode, payIn.ResultMessage) : null;
        return new ProviderPaymentState(status, payIn.Status, payIn.Id, reason, data);
    }

    /// <summary>
    /// Mangopay wants a 200 within 2 s and does not promise to send a hook again (failing endpoints can be
    /// disabled): a hook we cannot confirm now is acknowledged, and reconciliation reads the pay-in later.
    /// </summary>
    public bool RedeliversOnFailure => false;

    /// <summary>
    /// Reads a Mangopay hook, <c>GET {url}?EventType=…&amp;RessourceId=…&amp;Date=…</c>. Hooks are unsigned: each is only
    /// a trigger to read the pay-in. The two pay-in outcomes are acted on; other events (refund events included: their
    /// RessourceId is a refund, which no order is found by) are acknowledged and ignored.
    /// </summary>
    public WebhookReading ReadWebhook(WebhookRequest request) => MangopayCallbacks.ReadWebhook(request);

    /// <summary>
    /// Refunds the order's pay-in, with an Idempotency-Key derived from the refund id (a repeat gives the same refund).
    /// The whole amount is a full refund (no DebitedFunds/Fees: Mangopay gives back the pay-in's fees too); less is a
    /// partial refund with <c>Fees</c> 0 (the platform keeps the pay-in's fees). A refusal (4xx) is thrown as a Rejected
    /// <see cref="ProviderException"/> (the flow records the refund as failed), as is a failure with an unknown outcome
    /// (5xx after the retries, timeout: asked again with the same refund id, so the same key). A pay-in Mangopay does
    /// not know is a Failed refund.
    /// </summary>
    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } payInId)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, "The order has no Mangopay pay-in to refund");
        }

        var settings = options.CurrentValue;
        var currency = order.Amount.Currency.Code;
        var full = request.AmountMinor == order.Amount.Minor;
        var tag = $"{order.Id} refund {request.RefundId}";
        var body = new MangopayRefundRequest
        {
            AuthorId = order.ProviderData.GetValueOrDefault(MangopayOrderMapping.AuthorIdKey) ?? settings.AuthorId,
            DebitedFunds = full ? null : new MangopayMoney(currency, request.AmountMinor),
            Fees = full ? null : new MangopayMoney(currency, 0),
            Tag = tag.Length > MangopayOrderMapping.MaxTagLength ? tag[..MangopayOrderMapping.MaxTagLength] : tag,
        };

        MangopayRefund refund;
        try
        {
            refund = await client.RefundPayInAsync(payInId, body, MangopayIdempotencyKeys.Refund(order.Id, request.RefundId), cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.NotFound)
        {
            // Mangopay does not know the pay-in: nothing was refunded, and asking again cannot change that.
            logger.LogWarning("Mangopay does not know pay-in {PayInId} of order {OrderId}; refund {RefundId} failed", payInId, order.Id, request.RefundId);
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"Mangopay has no pay-in {payInId} ({Code(ex.ProviderCode)})");
        }

        if (!MangopayStatusMapping.TryMapRefund(refund.Status, out var outcome))
        {
            logger.LogWarning("Mangopay refund {ProviderRefundId} has unknown Status {Status}; treated as pending", refund.Id, refund.Status);
        }

        var reason = outcome == RefundOutcome.Failed ? Result("Mangopay refund FAILED", refund.ResultCode, refund.ResultMessage) : null;
        return new ProviderRefundResult(refund.Id, outcome, refund.Status, reason);
    }

    /// <summary>
    /// A lost refund answer, read back without refunding again: <c>GET /responses/{Idempotency-Key}</c> gives the answer
    /// Mangopay gave the refund's request. No answer stored (404) means the request never reached Mangopay; the first
    /// answer's refund is mapped as <see cref="RefundAsync"/> maps it; a first answer that was an error is a failed refund.
    /// Mangopay keeps answers 24 hours: a refund older than that cannot be told (null, for a human).
    /// </summary>
    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is null)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, "The order has no Mangopay pay-in: nothing was refunded");
        }

        if (clock.GetUtcNow() - refund.RequestedAt > TimeSpan.FromHours(23))
        {
            return null;
        }

        MangopayIdempotencyResponse first;
        try
        {
            first = await client.GetIdempotencyResponseAsync(MangopayIdempotencyKeys.Refund(order.Id, refund.RefundId), cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.NotFound)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, "Mangopay has no answer for this refund's request: it was not carried out");
        }

        MangopayRefund? made = null;
        try
        {
            if (first.HttpStatus is >= 200 and < 300 && first.Resource is { ValueKind: System.Text.Json.JsonValueKind.Object } body)
            {
                made = System.Text.Json.JsonSerializer.Deserialize<MangopayRefund>(body, MangopayJson.Options);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        switch (first.HttpStatus)
        {
            case >= 200 and < 300 when made is not null:
                MangopayStatusMapping.TryMapRefund(made.Status, out var outcome);
                return new ProviderRefundResult(made.Id, outcome, made.Status,
                    outcome == RefundOutcome.Failed ? Result("Mangopay refund FAILED", made.ResultCode, made.ResultMessage) : null);
            case >= 400 and < 500:
                return new ProviderRefundResult(null, RefundOutcome.Failed, first.HttpStatus.ToString(), $"Mangopay refused the refund ({first.HttpStatus})");
            default:
                return null;
        }
    }

    /// <summary>Not offered: a TWINT pay-in is paid at once (no preauthorization). <see cref="Capabilities"/> does not claim it.</summary>
    public Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Mangopay TWINT pay-ins have no preauthorization to capture.");

    /// <summary>Not offered: an open TWINT pay-in cannot be cancelled through the API; it fails when its session times out.</summary>
    public Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Mangopay TWINT pay-ins cannot be cancelled through the API.");

    private static string Result(string what, string? code, string? message) =>
        (code, message) switch
        {
            ({ Length: > 0 }, { Length: > 0 }) => $"{what}: {code} {message}",
            ({ Length: > 0 }, _) => $"{what}: {code}",
            (_, { Length: > 0 }) => $"{what}: {message}",
            _ => what,
        };

    private static string Code(string? code) => string.IsNullOrEmpty(code) ? "none" : code;

    private static ProviderPaymentState Unchanged(string reason) => new(null, null, null, reason);

    private static ProviderException Failure(ProviderFailure failure, string message, int? status = null, string? code = null) =>
        new(new ProviderFailureInfo(ProviderName, failure, message, status, code, null, null));
}
