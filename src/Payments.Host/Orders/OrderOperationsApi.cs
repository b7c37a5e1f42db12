using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Refunds;
using Payments.Core.Validation;
using Payments.Host.Api;

namespace Payments.Host.Orders;

/// <summary><c>POST /api/orders/{orderId}/capture</c>, <c>/refunds</c> and <c>/cancel</c> (README: HTTP API).</summary>
public static class OrderOperationsApi
{
    public static RouteGroupBuilder MapOrderOperationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders/{orderId}").RequireApiKey().RequireOrderId();
        group.MapPost("/capture", CaptureAsync).WithName("CaptureOrder").OperationProblems();
        group.MapPost("/refunds", RefundAsync).WithName("RefundOrder")
            .ReadsJson<RefundBody>(required: false, idempotencyKey: true)
            .ProducesProblems(StatusCodes.Status401Unauthorized, "unauthorized")
            .ProducesProblems(StatusCodes.Status404NotFound, "not-found")
            .ProducesProblems(StatusCodes.Status409Conflict, "refund-in-progress", "invalid-state", "order-busy")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, "unprocessable", "capability-not-supported", "provider-rejected")
            .ProducesProblems(StatusCodes.Status502BadGateway, "provider-unavailable")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "storage-unavailable")
            .ProducesProblems(StatusCodes.Status504GatewayTimeout, "provider-timeout");
        group.MapPost("/cancel", CancelAsync).WithName("CancelOrder").OperationProblems();
        return group;
    }

    private static RouteHandlerBuilder OperationProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblems(StatusCodes.Status401Unauthorized, "unauthorized")
        .ProducesProblems(StatusCodes.Status404NotFound, "not-found")
        .ProducesProblems(StatusCodes.Status409Conflict, "invalid-state", "order-busy")
        .ProducesProblems(StatusCodes.Status422UnprocessableEntity, "capability-not-supported", "unprocessable", "provider-rejected")
        .ProducesProblems(StatusCodes.Status502BadGateway, "provider-unavailable")
        .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "storage-unavailable")
        .ProducesProblems(StatusCodes.Status504GatewayTimeout, "provider-timeout");

    public static async Task<Results<Ok<OrderView>, ProblemHttpResult>> CaptureAsync(string orderId, PaymentOperations operations, CancellationToken cancellationToken) =>
        ToHttp(await operations.CaptureAsync(orderId, cancellationToken));

    public static async Task<Results<Ok<OrderView>, ProblemHttpResult>> CancelAsync(string orderId, PaymentOperations operations, CancellationToken cancellationToken) =>
        ToHttp(await operations.CancelAsync(orderId, cancellationToken));

    /// <summary>
    /// <c>200</c> with the order once the refund is settled (now, or earlier: the same <c>Idempotency-Key</c> again);
    /// <c>202</c> while it is recorded and its outcome not known yet (being sent, or its answer lost: it is settled from the
    /// provider's records, never sent again); <c>409 refund-in-progress</c> with <c>Retry-After</c> while another refund of
    /// the order is being sent (nothing written).
    /// </summary>
    public static async Task<Results<Ok<OrderView>, Accepted<OrderView>, ProblemHttpResult, RetryAfterResult>> RefundAsync(
        string orderId, HttpRequest request, RefundService refunds, IOrderStore orders, CancellationToken cancellationToken)
    {
        var (refund, unread) = await JsonRequest.ReadOptionalAsync(request, new RefundBody(), cancellationToken);
        if (refund is null)
        {
            return unread!;
        }

        var (key, badKey) = IdempotencyKey.Read(request);
        if (badKey is not null)
        {
            return badKey;
        }

        // The amount's rules depend on the order's currency.
        var stored = await orders.GetAsync(orderId, cancellationToken);
        if (stored is null)
        {
            return Problems.NotFound("order");
        }

        var (draft, issues) = RefundRequestRules.Validate(refund.Amount, refund.Reason, refund.Comment, stored.Order.Amount.Currency);
        if (draft is null)
        {
            return Problems.Validation(issues);
        }

        var result = await refunds.RefundAsync(orderId, draft.AmountMinor, draft.Reason, draft.Comment, key, cancellationToken);
        return result switch
        {
            OperationResult.RefundInFlight inFlight => TypedResults.Accepted($"/api/orders/{inFlight.Order.Id}", OrderView.From(inFlight.Order)),
            OperationResult.RefundBusy busy => new RetryAfterResult(
                Problems.Problem(StatusCodes.Status409Conflict, "refund-in-progress", "Another refund of this order is being sent.",
                    "Refunds of one order are sent one at a time; nothing was written. Send the request again after Retry-After.",
                    busy.InFlightRefundId is { } refundId
                        ? new Dictionary<string, object?> { ["orderId"] = busy.OrderId, ["refundId"] = refundId }
                        : new Dictionary<string, object?> { ["orderId"] = busy.OrderId }),
                Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds))),
            OperationResult.Done d => TypedResults.Ok(OrderView.From(d.Order)),
            _ => Problem(result),
        };
    }

    private static Results<Ok<OrderView>, ProblemHttpResult> ToHttp(OperationResult result) =>
        result is OperationResult.Done d ? TypedResults.Ok(OrderView.From(d.Order)) : Problem(result);

    /// <summary>The problem answer of an operation that was not done.</summary>
    private static ProblemHttpResult Problem(OperationResult result) => result switch
    {
        OperationResult.NotFound => Problems.NotFound("order"),
        OperationResult.NotSupported n => Problems.CapabilityNotSupported(n.Provider, n.Capability),
        OperationResult.InvalidState s => Problems.Problem(StatusCodes.Status409Conflict, "invalid-state", "The order is not in a status that allows this.",
            s.Detail, new Dictionary<string, object?> { ["orderStatus"] = s.Order.Status }),
        OperationResult.Unprocessable u => Problems.Validation([new ValidationIssue(u.Field, u.Detail, IssueKind.Unprocessable)]),
        OperationResult.ProviderFailed f => Problems.ProviderFailed(f.Error, f.Order),
        _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}"),
    };
}
