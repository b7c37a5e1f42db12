namespace Payments.Core.Orders;

public enum TransitionOutcome
{
    /// <summary>Move to the new status.</summary>
    Apply,

    /// <summary>Already there: the same transition twice does nothing.</summary>
    AlreadyApplied,

    /// <summary>A late or stale signal (a terminal status, or a step backwards): ignored.</summary>
    Ignored,
}

/// <summary>
/// The single place that decides whether an order may move from one status to another (README: Order statuses).
/// Money only moves forward: pending → authorized → succeeded → (partially_)refunded, with failed,
/// cancelled and expired as exits before money was taken. A terminal status is never overwritten.
/// </summary>
public static class OrderTransitions
{
    public static TransitionOutcome Decide(PaymentStatus current, PaymentStatus next)
    {
        if (current == next)
        {
            return TransitionOutcome.AlreadyApplied;
        }

        if (current.IsTerminal())
        {
            return TransitionOutcome.Ignored;
        }

        var allowed = current switch
        {
            PaymentStatus.Pending => next is PaymentStatus.Authorized or PaymentStatus.Succeeded or PaymentStatus.Failed
                or PaymentStatus.Cancelled or PaymentStatus.Expired,
            PaymentStatus.Authorized => next is PaymentStatus.Succeeded or PaymentStatus.Failed
                or PaymentStatus.Cancelled or PaymentStatus.Expired,
            PaymentStatus.Succeeded => next is PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded,
            PaymentStatus.PartiallyRefunded => next is PaymentStatus.Refunded,
            _ => false,
        };

        return allowed ? TransitionOutcome.Apply : TransitionOutcome.Ignored;
    }
}
