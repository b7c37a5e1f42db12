using Payments.Core.Orders;

namespace Payments.Host.Api;

/// <summary>
/// On the routes under <c>/api/orders/{orderId}</c>: an id that cannot be an order's (see <see cref="PaymentService.IsOrderId"/>)
/// is the same <c>404 not-found</c> as an order that does not exist, answered before the handler reads anything.
/// </summary>
public sealed class OrderIdFilter : IEndpointFilter
{
    /// <summary>The one instance (it holds nothing): no activation expression compiled per endpoint as with <c>AddEndpointFilter&lt;T&gt;</c>.</summary>
    public static readonly OrderIdFilter Instance = new();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        PaymentService.IsOrderId(context.HttpContext.GetRouteValue("orderId") as string)
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.NotFound("order"));
}

public static class OrderIdFilterExtensions
{
    /// <summary>Answers <c>404 not-found</c> for a malformed <c>{orderId}</c> on every endpoint of the group (after the API key check).</summary>
    public static TBuilder RequireOrderId<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(OrderIdFilter.Instance);
}
