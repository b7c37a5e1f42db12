using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;
using Payments.Providers.Http;

namespace Payments.Providers.Twisto;

/// <summary>
/// Twisto ("buy now, pay later") through its PSP API v4 (default) or the deprecated Universal API v2: open a
/// checkout (v4) or order (v2), send the shopper to Twisto's page, and learn the outcome only from
/// <c>GET /checkouts/{id}</c> or <c>GET /order/{id}/</c>, whatever the return or a webhook claims.
/// </summary>
public sealed class TwistoProvider(
    TwistoClient client,
    IOptionsMonitor<TwistoOptions> options,
    ILogger<TwistoProvider> logger) : IPaymentProvider, IWebhookReceiver, IPaymentOperations
{
    public const string ProviderName = "twisto";

    /// <summary>ProviderData keys.</summary>
    public const string ApiVersionKey = "twisto_api_version";
    public const string ProductKey = "twisto_product";
    public const string SettledKey = "twisto_settled";
    public const string ChargeIdKey = "twisto_charge_id";
    public const string CurrentAmountKey = "twisto_current_amount";
    public const string RefundAmountKey = "twisto_refund_amount";

    private readonly ProviderConfirmation _confirmation = new(ProviderName, "Twisto id", logger);

    public string Name => ProviderName;

    /// <summary>
    /// What Twisto's API offers: create + return + (unsigned) webhooks; capture (v4 <c>POST /charges</c>, v2
    /// <c>activate</c>), refund (v4 <c>POST /refunds</c>, v2 <c>/order/{id}/refund</c>) and cancel (v4
    /// <c>/checkouts/{id}/cancel</c>, v2 <c>/order/{id}/cancel</c>). No upsells, recurring charges or saved customers:
    /// every Twisto purchase is scored on its own.
    /// </summary>
    public ProviderCapabilities Capabilities =>
        ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Webhook
        | ProviderCapabilities.Capture | ProviderCapabilities.Refund | ProviderCapabilities.Cancel;

    /// <summary>Twisto's <c>POST /checkouts</c> is "non-transactional" (each request is a new checkout; v2 has no key either).</summary>
    public bool SessionCreationIsIdempotent => false;

    public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => TwistoOrderMapping.Validate(draft, options.CurrentValue);

    public async Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var order = request.Order;
        if (request.ReturnUrl.AbsoluteUri.Length > TwistoOrderMapping.MaxRedirectUriLength)
        {
            throw Failure(ProviderFailure.Rejected, $"twisto: the return URL is longer than Twisto's {TwistoOrderMapping.MaxRedirectUriLength} characters (shorten PublicBaseUrl).", null);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ApiVersionKey] = settings.ApiVersion,
            [ProductKey] = TwistoOrderMapping.Product(order),
        };
        string? id;
        string? url;
        string raw;
        if (settings.ApiVersion == TwistoOptions.V2)
        {
            var created = await client.CreateOrderAsync(TwistoOrderMapping.ToOrderRequest(order, request.ReturnUrl, settings), cancellationToken);
            (id, url, raw) = (created.Id, created.RedirectUrl, JsonSerializer.Serialize(created, TwistoJson.Options));
        }
        else
        {
            var created = await client.CreateCheckoutAsync(TwistoOrderMapping.ToCheckoutRequest(order, request.ReturnUrl, settings), cancellationToken);
            (id, url, raw) = (created.Id, created.Uri ?? created.RedirectUrl, JsonSerializer.Serialize(created, TwistoJson.Options));
        }

        if (!TwistoCallbacks.IsReference(id) || !ProviderUrls.IsWebUrl(url, out var redirect))
        {
            // Twisto may have opened something, but the shopper cannot get to it: the session failed.
            throw Failure(ProviderFailure.Unavailable,
                $"twisto: the {settings.ApiVersion} create call answered without a usable id and shopper URL.", raw);
        }

        // Twisto documents no lifetime for a checkout or order; reconciliation decides when to ask.
        return new ProviderSession(id, redirect.AbsoluteUri, null, data);
    }

    public ReturnEvidence ReadReturn(ReturnRequest request) => TwistoCallbacks.ReadReturn(request);

    public WebhookReading ReadWebhook(WebhookRequest request) => TwistoCallbacks.ReadWebhook(request);

    /// <summary>
    /// Never trusts the return or the webhook: reads the checkout (v4) or order (v2), the stored id first, else the
    /// one the evidence names, checks it is ours (our order id, currency, amount), and only then maps its state.
    /// With <see cref="TwistoOptions.CaptureOnApproval"/>, an approved payment is charged here.
    /// </summary>
    public async Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        var reference = _confirmation.Reference(order, evidence);
        if (reference is null)
        {
            return new ProviderPaymentState(null, null, null, $"No Twisto id is known for order {order.Id} yet");
        }

        var state = await ReadAsync(order, reference, stored: order.ProviderReference is not null, cancellationToken);
        if (state.Status == PaymentStatus.Authorized && options.CurrentValue.CaptureOnApproval && state.ProviderReference is { } confirmed)
        {
            return await ChargeAsync(order, confirmed, cancellationToken);
        }

        return state;
    }

    public async Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } reference)
        {
            return NoReference(order);
        }

        var current = await ReadAsync(order, reference, stored: true, cancellationToken);
        return current.Status == PaymentStatus.Authorized ? await ChargeAsync(order, reference, cancellationToken) : current;
    }

    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } reference)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"No Twisto id is known for order {order.Id}");
        }

        var amount = TwistoOrderMapping.Format(request.AmountMinor, order.Amount.Currency.Exponent);
        try
        {
            if (VersionOf(order) == TwistoOptions.V2)
            {
                var refund = await client.RefundOrderAsync(reference, new TwistoOrderRefundRequest { Amount = amount, ExternalId = request.RefundId }, cancellationToken);
                return new ProviderRefundResult(refund?.Id, RefundOutcome.Succeeded, null, null);
            }

            var created = await client.CreateRefundAsync(new TwistoRefundRequest
            {
                CheckoutId = reference,
                Reference = Cut(request.RefundId, TwistoOrderMapping.MaxChargeReferenceLength),
                Reason = RefundReason(request),
                Amount = amount,
            }, request.RefundId, cancellationToken);

            // A refund object has no state: a 2xx means Twisto took it.
            return new ProviderRefundResult(created.Id, RefundOutcome.Succeeded, null, null);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.Rejected)
        {
            logger.LogWarning("Twisto refused refund {RefundId} of order {OrderId}: {StatusCode} {Code}", request.RefundId, order.Id, ex.StatusCode, ex.ProviderCode);
            return new ProviderRefundResult(null, RefundOutcome.Failed, ex.ProviderCode, $"Twisto refused the refund ({ex.StatusCode}{(ex.ProviderCode is null ? "" : $", {ex.ProviderCode}")})");
        }
    }

    /// <summary>
    /// A lost refund answer, found without refunding twice. v4: the refund is asked for again with the same
    /// <c>Idempotency-Key</c> and body, which is how Twisto documents retrying a transactional call ("a retry will need to
    /// use the same 'Idempotency-key'"): it answers the refund made the first time, or makes the one that never arrived.
    /// Uncertain, and decided here: how long Twisto keeps a key is not documented; the refund service asks within minutes.
    /// v2 takes no key: the order's <c>refund_amount</c> is compared with our records
    /// (<see cref="Core.Refunds.RefundRules.FromRefundedTotal"/>).
    /// </summary>
    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } reference)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"No Twisto id is known for order {order.Id}: nothing was refunded");
        }

        if (VersionOf(order) != TwistoOptions.V2)
        {
            return await RefundAsync(order, new RefundRequest(refund.RefundId, refund.AmountMinor, refund.Reason, refund.Comment), cancellationToken);
        }

        var current = await client.GetOrderAsync(reference, cancellationToken);
        if (!TwistoOrderMapping.TryParseAmount(current.RefundAmount ?? "0", order.Amount.Currency, out var refunded))
        {
            return null;
        }

        return Core.Refunds.RefundRules.FindInRefundedTotal(order, refund, refunded, current.Status, $"Twisto order {reference}");
    }

    public async Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } reference)
        {
            return NoReference(order);
        }

        if (VersionOf(order) == TwistoOptions.V2)
        {
            await client.CancelOrderAsync(reference, cancellationToken);
            return await ReadAsync(order, reference, stored: true, cancellationToken);
        }

        var checkout = await client.CancelCheckoutAsync(reference, $"cancel-{order.Id}", cancellationToken);
        return FromCheckout(order, reference, checkout);
    }

    /// <summary>The version the order was created with (kept on the order), else the configured one.</summary>
    public string VersionOf(Order order) =>
        order.ProviderData.TryGetValue(ApiVersionKey, out var version) && version is TwistoOptions.V4 or TwistoOptions.V2
            ? version
            : options.CurrentValue.ApiVersion;

    private async Task<ProviderPaymentState> ReadAsync(Order order, string reference, bool stored, CancellationToken cancellationToken)
    {
        var v2 = VersionOf(order) == TwistoOptions.V2;
        return await _confirmation.ReadAsync(order, reference, linked: stored, async () => v2
                ? FromOrder(order, reference, await client.GetOrderAsync(reference, cancellationToken))
                : FromCheckout(order, reference, await client.GetCheckoutAsync(reference, cancellationToken)))
            ?? Refused($"Twisto has no {(v2 ? "order" : "checkout")} {reference}");
    }

    private ProviderPaymentState FromCheckout(Order order, string reference, TwistoCheckout checkout)
    {
        if (TwistoOrderMapping.WhyNotOurs(checkout, order) is { } why)
        {
            logger.LogWarning("Twisto checkout {Reference} is not the one created for order {OrderId}: {Why}", reference, order.Id, why);
            return Refused($"Twisto checkout {reference} is not this order's: {why}");
        }

        if (!TwistoStatusMapping.TryMapCheckout(checkout.State, out var status))
        {
            logger.LogWarning("Twisto checkout {Reference} has unknown state {State}; no change for order {OrderId}", reference, checkout.State, order.Id);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [ApiVersionKey] = TwistoOptions.V4 };
        Put(data, ProductKey, TwistoOrderMapping.ProductOf(checkout.Type));
        Put(data, SettledKey, checkout.Settled);
        return new ProviderPaymentState(status, checkout.State, reference, ReasonFor(status, "checkout state", checkout.State), data);
    }

    private ProviderPaymentState FromOrder(Order order, string reference, TwistoOrder twisto)
    {
        if (TwistoOrderMapping.WhyNotOurs(twisto, order) is { } why)
        {
            logger.LogWarning("Twisto order {Reference} is not the one created for order {OrderId}: {Why}", reference, order.Id, why);
            return Refused($"Twisto order {reference} is not this order's: {why}");
        }

        if (!TwistoStatusMapping.TryMapOrder(twisto.Status, out var status))
        {
            logger.LogWarning("Twisto order {Reference} has unknown status {Status}; no change for order {OrderId}", reference, twisto.Status, order.Id);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [ApiVersionKey] = TwistoOptions.V2 };
        Put(data, ProductKey, TwistoOrderMapping.ProductOf(twisto.Service));
        Put(data, SettledKey, twisto.DateSettled);
        Put(data, CurrentAmountKey, twisto.CurrentAmount);
        Put(data, RefundAmountKey, twisto.RefundAmount);
        return new ProviderPaymentState(status, twisto.Status, reference, ReasonFor(status, "order status", twisto.Status), data);
    }

    /// <summary>Charges an approved payment in full: v4 <c>POST /charges</c> (capture), v2 <c>activate</c>.</summary>
    private async Task<ProviderPaymentState> ChargeAsync(Order order, string reference, CancellationToken cancellationToken)
    {
        if (VersionOf(order) == TwistoOptions.V2)
        {
            try
            {
                await client.ActivateOrderAsync(reference, cancellationToken);
            }
            catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.Rejected)
            {
                // v2 takes no idempotency key: a concurrent confirmation may have activated it first. The order
                // read below says which.
                logger.LogWarning("Twisto refused to activate order {Reference} ({StatusCode}); reading it again", reference, ex.StatusCode);
            }

            return await ReadAsync(order, reference, stored: true, cancellationToken);
        }

        var exponent = order.Amount.Currency.Exponent;
        var charge = await client.CreateChargeAsync(new TwistoChargeRequest
        {
            Authority = new TwistoChargeAuthority { Type = TwistoChargeAuthority.CheckoutIdType, Value = reference },
            Reference = order.Id,
            Amount = TwistoOrderMapping.Format(order.Amount.Minor, exponent),
            Currency = order.Amount.Currency.Code,
            Capture = true,
            Order = new TwistoChargeOrder { Reference = order.Id },
        }, $"charge-{order.Id}", cancellationToken);

        if (!TwistoStatusMapping.TryMapCharge(charge.State, out var status))
        {
            logger.LogWarning("Twisto charge for checkout {Reference} has unknown state {State}; no change for order {OrderId}", reference, charge.State, order.Id);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [ApiVersionKey] = TwistoOptions.V4 };
        Put(data, ChargeIdKey, charge.Id);
        var reason = status is null ? $"Twisto charge state is {charge.State ?? "(none)"}" : ReasonFor(status, "charge state", charge.State);
        return new ProviderPaymentState(status, charge.State, reference, reason, data);
    }

    private static string? ReasonFor(PaymentStatus? status, string what, string? word) =>
        status is PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired ? $"Twisto {what} is {word}" : null;

    private static string? RefundReason(RefundRequest request)
    {
        var text = (request.Reason, request.Comment) switch
        {
            (null, null) => null,
            ({ } r, null) => r,
            (null, { } c) => c,
            ({ } r, { } c) => $"{r}: {c}",
        };
        return Cut(text, TwistoOrderMapping.MaxTextLength);
    }

    private static string? Cut(string? text, int max) => text is { } t && t.Length > max ? t[..max] : text;

    private static void Put(Dictionary<string, string> data, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            data[key] = value;
        }
    }

    private static ProviderPaymentState NoReference(Order order) => new(null, null, null, $"No Twisto id is known for order {order.Id}");

    private static ProviderPaymentState Refused(string reason) => new(null, null, null, reason);

    private static ProviderException Failure(ProviderFailure failure, string message, string? raw) =>
        new(new ProviderFailureInfo(ProviderName, failure, message, null, null,
            raw is { Length: > ProviderErrors.MaxRawBodyChars } ? raw[..ProviderErrors.MaxRawBodyChars] : raw, null));
}
