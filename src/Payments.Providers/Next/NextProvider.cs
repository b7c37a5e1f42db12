using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.Next;

/// <summary>
/// TWINT through NEXT Commerce's Admin API (redirect flow): create an order with <c>payment_method = twint</c>,
/// send the shopper to <c>payment_complete_url</c>, and take NEXT's POST of the order back to the return URL as a
/// hint that is always checked with <c>GET /orders/{number}/</c>.
/// </summary>
/// <remarks>
/// One file per role: this one (session, return, webhook, confirmation), <c>.Charges</c> (<see cref="IChargeOperations"/>)
/// and <c>.Operations</c> (<see cref="IPaymentOperations"/>).
/// </remarks>
public sealed partial class NextProvider(
    NextClient client,
    IOptionsMonitor<NextOptions> options,
    NextWebhookVerifier webhooks,
    TimeProvider clock,
    ILogger<NextProvider> logger) : IPaymentProvider, IWebhookReceiver
{
    public const string ProviderName = "next";

    /// <summary>The form field NEXT posts to <c>payment_return_url</c>: the order JSON as a string, or <c>{}</c>.</summary>
    public const string ResponseField = "response";

    /// <summary>How long a TWINT payment session stays open (README: Reconciliation looks after this).</summary>
    public static readonly TimeSpan TwintSessionLifetime = TimeSpan.FromMinutes(15);

    /// <summary>ProviderData keys.</summary>
    public const string ReferenceTransactionIdKey = "reference_transaction_id";
    public const string OrderNumberKey = "order_number";
    public const string IsTestKey = "is_test";
    public const string SubscriptionIdKey = "subscription_id";

    /// <summary>The provider status recorded when NEXT reported that it created no order (the <c>{}</c> return).</summary>
    public const string NoOrderStatus = "no_order";

    private readonly ProviderConfirmation _confirmation = new(ProviderName, "NEXT order", logger);

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
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.NotFound)
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
        if (!ProviderUrls.IsWebUrl(created.PaymentCompleteUrl, out var redirect))
        {
            // NEXT may have created an order, but the shopper cannot get to TWINT: the session failed.
            throw new ProviderException(new ProviderFailureInfo(ProviderName, ProviderFailure.Unavailable,
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
    public ReturnEvidence ReadReturn(ReturnRequest request) => NextCallbacks.ReadReturn(request);

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
        var number = _confirmation.Reference(order, evidence);
        if (number is null)
        {
            return ConfirmWithoutOrderNumber(order, evidence);
        }

        if (await _confirmation.ReadAsync(order, number, linked: order.ProviderReference is not null,
                () => client.GetOrderAsync(number, cancellationToken)) is not { } next)
        {
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
