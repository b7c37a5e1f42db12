namespace Payments.Core.Orders;

/// <summary>Queries over all orders, for the timers (reconciliation, the charge sweep). Results are oldest first.</summary>
public interface IOrderQueries
{
    /// <summary>Ids of orders in <paramref name="status"/> created before <paramref name="createdBefore"/>, at most <paramref name="maxCount"/>.</summary>
    Task<IReadOnlyList<string>> FindByStatusAsync(PaymentStatus status, DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Ids of pending orders created before <paramref name="createdBefore"/> whose payment session was never recorded
    /// (<see cref="Order.AwaitingProviderSession"/>), at most <paramref name="maxCount"/>, oldest first.
    /// </summary>
    Task<IReadOnlyList<string>> FindAwaitingProviderSessionAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken);

    /// <summary>Ids of orders with a charge that needs attention by <paramref name="dueBy"/> (see <see cref="Charges.ChargeRules.AttentionAt"/>).</summary>
    Task<IReadOnlyList<string>> FindChargesDueAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken);

    /// <summary>Ids of orders with a refund in flight past its lease by <paramref name="dueBy"/> (see <see cref="Refunds.RefundRules.AttentionAt"/>).</summary>
    Task<IReadOnlyList<string>> FindRefundsDueAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken);
}
