namespace Payments.Core.Charges;

/// <summary>What became of one delivery of a charge message.</summary>
public abstract record ChargeRunResult
{
    /// <summary>The charge is settled (now or before): the message is done with.</summary>
    public sealed record Done(ChargeRecord Charge) : ChargeRunResult;

    /// <summary>Nothing was charged and it is safe to try again: redeliver the message.</summary>
    public sealed record Retry(string Reason) : ChargeRunResult;

    /// <summary>No such order or charge: the message is bogus (dead-letter it).</summary>
    public sealed record Unknown(string Reason) : ChargeRunResult;
}
