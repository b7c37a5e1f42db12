using System.Text.Json.Serialization;

namespace Payments.Host.Tests;

/// <summary>
/// An RFC 9457 problem as the API sends it. Clients switch on <see cref="Type"/>; the members some problems add (the order a
/// conflict names, the field errors of a validation problem, the capability a provider lacks) are named where tests read them,
/// the rest kept in <see cref="Extensions"/>.
/// </summary>
public sealed record Problem(string? Type, string? Title, int? Status, string? Detail, string? OrderId, string? OrderStatus, string? Provider,
    string? Capability, IReadOnlyDictionary<string, string[]>? Errors)
{
    /// <summary>Every other member the problem carries.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}
