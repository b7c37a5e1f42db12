namespace Payments.Host.Tests;

/// <summary>What the charge endpoints answer with (<c>202</c>): the charge as it stands now.</summary>
public sealed record ChargeAccepted(string ChargeId, string Status, string OrderId, string Kind, string Amount, string Currency, DateTimeOffset? RunAt);
