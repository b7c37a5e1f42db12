namespace Payments.Host.Tests;

/// <summary>A request being built: a JSON body as a node (or raw bytes), headers, target.</summary>
public sealed record Draft(string Method, string Target, JsonNode? Json, byte[]? RawBody, string? ContentType,
    IReadOnlyList<(string Name, string Value)> Headers, string? Chunking, string Why)
{
    public Draft WithHeader(string name, string value) => this with { Headers = [.. Headers.Where(h => !h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)), (name, value)] };

    public Draft WithoutHeader(string name) => this with { Headers = [.. Headers.Where(h => !h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))] };

    public Draft Edit(Action<JsonObject> edit)
    {
        if (Json is not JsonObject obj)
        {
            return this;
        }

        var copy = obj.DeepClone().AsObject();
        edit(copy);
        return this with { Json = copy };
    }

    public Probe ToProbe() => new(Method, Target, Headers, RawBody ?? (Json is null ? null : BadInputGen.Render(Json)), ContentType, Chunking, Why);
}
