using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Core.Charges;

/// <summary>A charge asked for through the API, as it arrived (validated here against its order).</summary>
public sealed record ChargeRequest(ChargeKind Kind, string? Amount, IReadOnlyList<OrderItemRequest?>? Items, DateTimeOffset? RunAt);

/// <summary>What became of a charge request.</summary>
public abstract record ChargeRequestResult
{
    /// <summary>Written as queued (or, with <see cref="Replayed"/>, found: the same request again).</summary>
    public sealed record Accepted(Order Order, ChargeRecord Charge, bool Replayed) : ChargeRequestResult;

    public sealed record NotFound : ChargeRequestResult;

    /// <summary>The order's provider cannot do this kind of charge (422, decided before anything is written).</summary>
    public sealed record NotSupported(string Provider, ProviderCapabilities Capability) : ChargeRequestResult;

    /// <summary>The order is not in a status that can be charged (409).</summary>
    public sealed record InvalidState(Order Order, string Detail) : ChargeRequestResult;

    /// <summary>The request is malformed (400) or does not fit the order or the provider (422).</summary>
    public sealed record Invalid(IReadOnlyList<ValidationIssue> Issues) : ChargeRequestResult;

    /// <summary>The Idempotency-Key was used for a different charge on this order (409).</summary>
    public sealed record KeyReused(string ChargeId) : ChargeRequestResult;
}
