using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>The outcome of capture, refund and cancel.</summary>
public abstract record OperationResult
{
    /// <summary>Done (or already done): the order afterwards.</summary>
    public sealed record Done(Order Order) : OperationResult;

    public sealed record NotFound : OperationResult;

    /// <summary>The order's provider cannot do this (422).</summary>
    public sealed record NotSupported(string Provider, ProviderCapabilities Capability) : OperationResult;

    /// <summary>Not in this status (409): e.g. capture of an order that is not authorized.</summary>
    public sealed record InvalidState(Order Order, string Detail) : OperationResult;

    /// <summary>The request does not fit the order (422): e.g. a refund larger than what is left.</summary>
    public sealed record Unprocessable(string Field, string Detail) : OperationResult;

    /// <summary>The provider refused or failed; the order is as it was, or records the failed refund.</summary>
    public sealed record ProviderFailed(Order Order, ProviderException Error) : OperationResult;

    /// <summary>
    /// A refund is recorded and sent, and its outcome is not known yet (202): it is being sent now, or its answer was
    /// lost and it will be settled by reading the provider. The same request again shows where it stands.
    /// </summary>
    public sealed record RefundInFlight(Order Order, RefundRecord Refund) : OperationResult;

    /// <summary>Another refund of the order is being sent (409 <c>refund-in-progress</c>): nothing was written; try again after <paramref name="RetryAfter"/>.</summary>
    public sealed record RefundBusy(string OrderId, string? InFlightRefundId, TimeSpan RetryAfter) : OperationResult;
}
