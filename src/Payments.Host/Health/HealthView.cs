namespace Payments.Host.Health;

/// <summary>What <c>GET /api/health</c> answers: the overall status and each check's.</summary>
public sealed record HealthView(string Status, IReadOnlyDictionary<string, string> Checks);
