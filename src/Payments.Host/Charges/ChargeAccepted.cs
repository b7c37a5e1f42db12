using Payments.Core.Charges;

namespace Payments.Host.Charges;

/// <summary>What the charge endpoints answer with (202).</summary>
public sealed record ChargeAccepted(string ChargeId, ChargeStatus Status, string OrderId, ChargeKind Kind, string Amount, string Currency, DateTimeOffset? RunAt);
