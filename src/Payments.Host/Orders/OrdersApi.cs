using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;
using Payments.Host.Api;
using Payments.Host.Hosting;

namespace Payments.Host.Orders;

/// <summary><c>POST /api/orders</c> and <c>GET /api/orders/{orderId}</c> (README: HTTP API).</summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders").RequireApiKey();
        group.MapPost("/", CreateAsync).WithName("CreateOrder")
            .ReadsJson<CreateOrderRequest>(idempotencyKey: true)
            .ProducesProblems(StatusCodes.Status401Unauthorized, "unauthorized")
            .ProducesProblems(StatusCodes.Status409Conflict, "idempotency-key-reused", "order-in-progress", "order-abandoned", "order-busy", "provider-reference-conflict")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, "unprocessable", "capability-not-supported", "provider-rejected")
            .ProducesProblems(StatusCodes.Status502BadGateway, "provider-unavailable")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "storage-unavailable")
            .ProducesProblems(StatusCodes.Status504GatewayTimeout, "provider-timeout");
        group.MapGet("/{orderId}", GetAsync).WithName("GetOrder").RequireOrderId()
            .ProducesProblems(StatusCodes.Status401Unauthorized, "unauthorized")
            .ProducesProblems(StatusCodes.Status404NotFound, "not-found")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "storage-unavailable");
        return group;
    }

    public static async Task<Results<Created<OrderView>, Ok<OrderView>, ProblemHttpResult>> CreateAsync(
        HttpRequest request,
        PaymentService payments,
        ProviderCatalog providers,
        IOptions<SecurityOptions> security,
        CancellationToken cancellationToken)
    {
        var (parsed, problem) = await JsonRequest.ReadAsync<CreateOrderRequest>(request, cancellationToken);
        if (parsed is null)
        {
            return problem!;
        }

        var rules = new OrderRequestRules(providers.Names, security.Value.AllowedRedirectOrigins);
        var (draft, issues) = OrderRequestValidator.Validate(parsed, rules);
        if (draft is null)
        {
            return Problems.Validation(issues);
        }

        var provider = providers.TryGet(draft.Provider, out var p) ? p : throw new InvalidOperationException("validated provider missing");
        if (draft.Subscription is not null && !provider.Capabilities.HasFlag(ProviderCapabilities.Recurring))
        {
            return Problems.CapabilityNotSupported(provider.Name, ProviderCapabilities.Recurring);
        }

        var providerIssues = provider.Validate(draft).ToList();

        if (providerIssues.Count > 0)
        {
            return Problems.Validation(providerIssues);
        }

        var (key, badKey) = IdempotencyKey.Read(request);
        if (badKey is not null)
        {
            return badKey;
        }

        var result = await payments.CreateAsync(draft, key ?? draft.MerchantReference, cancellationToken);
        return result switch
        {
            CreateOrderResult.Created c => TypedResults.Created($"/api/orders/{c.Order.Id}", OrderView.From(c.Order)),
            CreateOrderResult.Replayed r => TypedResults.Ok(OrderView.From(r.Order)),
            CreateOrderResult.KeyReused k => Problems.Problem(StatusCodes.Status409Conflict, "idempotency-key-reused",
                "The idempotency key was used with a different request.",
                "Use a new Idempotency-Key (or merchantReference) for a different order.",
                new Dictionary<string, object?> { ["orderId"] = k.OrderId }),
            CreateOrderResult.InProgress i => Problems.Problem(StatusCodes.Status409Conflict, "order-in-progress",
                "An order with this idempotency key is still being opened.",
                "Retry the same request shortly; it will return the order once its payment session is open.",
                new Dictionary<string, object?> { ["orderId"] = i.OrderId }),
            CreateOrderResult.Abandoned a => Problems.Problem(StatusCodes.Status409Conflict, "order-abandoned",
                "The request that opened this order was cut off; the order is failed.",
                a.Order.FailureReason,
                new Dictionary<string, object?> { ["orderId"] = a.Order.Id, ["orderStatus"] = a.Order.Status }),
            CreateOrderResult.ProviderFailed f => Problems.ProviderFailed(f.Error, f.Order),

            // The provider answered with a payment reference another order holds (never a 5xx: nothing is broken here, the
            // reference is taken): the payment page is not handed out and the order is failed. A new key opens a new one.
            CreateOrderResult.ReferenceConflict c => Problems.Problem(StatusCodes.Status409Conflict, "provider-reference-conflict",
                "The payment provider opened the payment with a reference that belongs to another order; it is not handed out.",
                c.Order.FailureReason,
                new Dictionary<string, object?> { ["provider"] = c.Order.Provider, ["orderId"] = c.Order.Id, ["orderStatus"] = c.Order.Status }),
            _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}"),
        };
    }

    public static async Task<Results<Ok<OrderView>, ProblemHttpResult>> GetAsync(string orderId, IOrderStore orders, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken);
        return stored is null ? Problems.NotFound("order") : TypedResults.Ok(OrderView.From(stored.Order));
    }
}
