namespace Payments.Core.Orders;

/// <summary>What became of a shopper's return (see <see cref="PaymentService.SettleReturnAsync"/>).</summary>
public abstract record ReturnOutcome
{
    /// <summary>No such order, or one of another provider.</summary>
    public sealed record UnknownOrder : ReturnOutcome;

    /// <summary>
    /// The order as it stands now: settled from what the provider said, or, when the provider could not tell us now,
    /// as it was (reconciliation settles it later; the shopper goes on with the status we know).
    /// </summary>
    public sealed record Known(Order Order) : ReturnOutcome;
}
