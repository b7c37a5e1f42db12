using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Refunds;
using Payments.Core.Validation;
using Payments.Host.Api;

namespace Payments.Host.Orders;

/// <summary>The body of <c>POST /api/orders/{orderId}/refunds</c>; an empty body refunds everything left.</summary>
public sealed record RefundBody
{
    public string? Amount { get; init; }
    public string? Reason { get; init; }
    public string? Comment { get; init; }
}

/// <summary><c>POST /api/orders/{orderId}/capture</c>, <c>/refunds</c> and <c>/cancel</c> (DESIGN §3).</summary>
public static class OrderOperationsApi
{
    public const int MaxCommentLength = 255;

    public static RouteGroupBuilder MapOrderOperationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders/{orderId}").RequireApiKey();
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
        !PaymentService.IsOrderId(orderId) ? Problems.NotFound("order") : ToHttp(await operations.CaptureAsync(orderId, cancellationToken));

    public static async Task<Results<Ok<OrderView>, ProblemHttpResult>> CancelAsync(string orderId, PaymentOperations operations, CancellationToken cancellationToken) =>
        !PaymentService.IsOrderId(orderId) ? Problems.NotFound("order") : ToHttp(await operations.CancelAsync(orderId, cancellationToken));

    /// <summary>
    /// <c>200</c> with the order once the refund is settled (now, or earlier: the same <c>Idempotency-Key</c> again);
    /// <c>202</c> while it is recorded and its outcome not known yet (being sent, or its answer lost: it is settled from the
    /// provider's records, never sent again); <c>409 refund-in-progress</c> with <c>Retry-After</c> while another refund of
    /// the order is being sent (nothing written).
    /// </summary>
    public static async Task<Results<Ok<OrderView>, Accepted<OrderView>, ProblemHttpResult, RetryAfterResult>> RefundAsync(
        string orderId, HttpRequest request, RefundService refunds, IOrderStore orders, CancellationToken cancellationToken)
    {
        if (!PaymentService.IsOrderId(orderId))
        {
            return Problems.NotFound("order");
        }

        var (body, unread) = await RequestBody.ReadAsync(request, RequestBody.MaxApiBodyBytes, cancellationToken);
        if (body is null)
        {
            return unread!;
        }

        var refund = new RefundBody();
        if (body.Length > 0)
        {
            if (!RequestBody.IsJson(request))
            {
                return Problems.UnsupportedMediaType("application/json");
            }

            var (parsed, error) = RequestBody.Deserialize<RefundBody>(body);
            if (parsed is null)
            {
                return Problems.MalformedJson(error!);
            }

            refund = parsed;
        }

        var key = request.Headers[OrdersApi.IdempotencyKeyHeader].ToString();
        if (request.Headers.ContainsKey(OrdersApi.IdempotencyKeyHeader) && KeyRules.Check(key, OrdersApi.MaxIdempotencyKeyLength) is { } keyError)
        {
            return Problems.InvalidHeader(OrdersApi.IdempotencyKeyHeader, keyError);
        }

        var stored = await orders.GetAsync(orderId, cancellationToken);
        if (stored is null)
        {
            return Problems.NotFound("order");
        }

        var issues = new List<ValidationIssue>();
        long? amount = null;
        if (refund.Amount is not null)
        {
            if (!Core.Money.Money.TryParseMinor(refund.Amount, stored.Order.Amount.Currency.Exponent, allowNegative: false, out var minor, out var amountError))
            {
                issues.Add(new("amount", amountError));
            }
            else
            {
                amount = minor;
            }
        }

        if (refund.Reason is not null && !RefundReasons.All.Contains(refund.Reason))
        {
            issues.Add(new("reason", $"must be one of: {string.Join(", ", RefundReasons.All.Order(StringComparer.Ordinal))}"));
        }

        if (refund.Comment is not null && (refund.Comment.Length > MaxCommentLength || refund.Comment.Any(char.IsControl)))
        {
            issues.Add(new("comment", $"must be at most {MaxCommentLength} characters without control characters"));
        }

        if (issues.Count > 0)
        {
            return Problems.Validation(issues);
        }

        var result = await refunds.RefundAsync(orderId, amount, refund.Reason, refund.Comment,
            request.Headers.ContainsKey(OrdersApi.IdempotencyKeyHeader) ? key : null, cancellationToken);
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
