using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>The outcome of a create request.</summary>
public abstract record CreateOrderResult
{
    /// <summary>A new order, open at the provider.</summary>
    public sealed record Created(Order Order) : CreateOrderResult;

    /// <summary>The same key and body as before: the order that request made. Nothing new at the provider.</summary>
    public sealed record Replayed(Order Order) : CreateOrderResult;

    /// <summary>The key was used before with a different body.</summary>
    public sealed record KeyReused(string OrderId) : CreateOrderResult;

    /// <summary>A request with this key is still opening the provider session (or its outcome is unknown).</summary>
    public sealed record InProgress(string OrderId) : CreateOrderResult;

    /// <summary>
    /// The request that opened this order was cut off before its payment session was recorded, longer ago than
    /// <see cref="PaymentService.AbandonedClaimAge"/>, and the provider's create cannot be repeated safely: the order is
    /// now failed with the reason (its redirect URL never reached the storefront, so no shopper can have paid).
    /// </summary>
    public sealed record Abandoned(Order Order) : CreateOrderResult;

    /// <summary>
    /// The provider opened the payment with a reference that is already linked to another order (a provider or sandbox
    /// that handed it out twice): the session is not handed out (no shopper can pay on it) and the order is failed.
    /// </summary>
    public sealed record ReferenceConflict(Order Order, string ProviderReference, string LinkedOrderId) : CreateOrderResult;

    /// <summary>The provider failed; the order is recorded as failed with the reason.</summary>
    public sealed record ProviderFailed(Order Order, ProviderException Error) : CreateOrderResult;
}
