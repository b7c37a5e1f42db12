using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Host.Tests;

/// <summary>
/// An RFC 9457 problem as the API sends it. Clients switch on <see cref="Type"/>; the members some problems add
/// (<c>orderId</c>, <c>errors</c>, <c>capability</c>, …) are named here where tests read them, the rest kept in <see cref="Extensions"/>.
/// </summary>
public sealed record Problem
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public string? OrderId { get; init; }
    public string? OrderStatus { get; init; }
    public string? Provider { get; init; }
    public string? Capability { get; init; }
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}
