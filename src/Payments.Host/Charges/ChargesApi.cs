using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Validation;
using Payments.Host.Api;
using Payments.Host.Orders;

namespace Payments.Host.Charges;

/// <summary>
/// <c>POST /api/orders/{orderId}/upsells</c> and <c>/recurring-charges</c> (README: HTTP API; Events, webhooks and charges): the charge is validated,
/// written to the order as queued, and run from the <c>payment-charges</c> queue; the order shows how it went.
/// </summary>
public static partial class ChargesApi
{
    public static RouteGroupBuilder MapChargesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders/{orderId}").RequireApiKey().RequireOrderId();
        group.MapPost("/upsells", UpsellAsync).WithName("CreateUpsell").ReadsJson<UpsellBody>(idempotencyKey: true).ChargeProblems();
        group.MapPost("/recurring-charges", RecurringAsync).WithName("CreateRecurringCharge").ReadsJson<RecurringChargeBody>(idempotencyKey: true).ChargeProblems();
        return group;
    }

    private static RouteHandlerBuilder ChargeProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblems(StatusCodes.Status401Unauthorized, "unauthorized")
        .ProducesProblems(StatusCodes.Status404NotFound, "not-found")
        .ProducesProblems(StatusCodes.Status409Conflict, "invalid-state", "idempotency-key-reused", "order-busy")
        .ProducesProblems(StatusCodes.Status422UnprocessableEntity, "capability-not-supported", "unprocessable")
        .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "storage-unavailable");

    public static async Task<Results<Accepted<ChargeAccepted>, ProblemHttpResult>> UpsellAsync(
        string orderId, HttpRequest request, ChargeService charges, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonRequest.ReadAsync<UpsellBody>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        return await RequestAsync(orderId, request, charges, new ChargeRequest(ChargeKind.Upsell, null, body.Items, null), cancellationToken);
    }

    public static async Task<Results<Accepted<ChargeAccepted>, ProblemHttpResult>> RecurringAsync(
        string orderId, HttpRequest request, ChargeService charges, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonRequest.ReadAsync<RecurringChargeBody>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        DateTimeOffset? runAt = null;
        if (body.RunAt is not null)
        {
            if (!WithOffset().IsMatch(body.RunAt)
                || !DateTimeOffset.TryParse(body.RunAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return Problems.Validation([new ValidationIssue("runAt", "must be an ISO 8601 date-time with an offset, such as \"2025-07-01T08:00:00Z\"")]);
            }

            runAt = parsed;
        }

        return await RequestAsync(orderId, request, charges, new ChargeRequest(ChargeKind.Recurring, body.Amount, body.Items, runAt), cancellationToken);
    }

    private static async Task<Results<Accepted<ChargeAccepted>, ProblemHttpResult>> RequestAsync(
        string orderId, HttpRequest request, ChargeService charges, ChargeRequest charge, CancellationToken cancellationToken)
    {
        var (key, badKey) = IdempotencyKey.Read(request);
        if (badKey is not null)
        {
            return badKey;
        }

        var result = await charges.RequestAsync(orderId, charge, key, cancellationToken);
        return result switch
        {
            ChargeRequestResult.Accepted a => TypedResults.Accepted($"/api/orders/{orderId}", new ChargeAccepted(
                a.Charge.ChargeId, a.Charge.Status, orderId, a.Charge.Kind,
                Core.Money.Money.FormatMinor(a.Charge.AmountMinor, a.Order.Amount.Currency.Exponent), a.Order.Amount.Currency.Code, a.Charge.RunAt)),
            ChargeRequestResult.NotFound => Problems.NotFound("order"),
            ChargeRequestResult.NotSupported n => Problems.CapabilityNotSupported(n.Provider, n.Capability),
            ChargeRequestResult.InvalidState s => Problems.Problem(StatusCodes.Status409Conflict, "invalid-state", "The order is not in a status that allows this.",
                s.Detail, new Dictionary<string, object?> { ["orderStatus"] = s.Order.Status }),
            ChargeRequestResult.Invalid i => Problems.Validation(i.Issues),
            ChargeRequestResult.KeyReused k => Problems.Problem(StatusCodes.Status409Conflict, "idempotency-key-reused",
                "The idempotency key was used with a different request.", "Use a new Idempotency-Key for a different charge.",
                new Dictionary<string, object?> { ["chargeId"] = k.ChargeId }),
            _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}"),
        };
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WithOffset();
}
