using System.Text.Json;

namespace Payments.Testing.Http;

/// <summary>One request as the fake saw it: method, URI, headers (request and content) and body text.</summary>
public sealed record CapturedRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyDictionary<string, string> Headers,
    string? Body)
{
    /// <summary>A header's value(s) joined by ", ", or null; names are case-insensitive.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body parsed as JSON (a clone, safe to keep).</summary>
    public JsonElement Json()
    {
        using var doc = JsonDocument.Parse(Body ?? throw new InvalidOperationException("The request had no body."));
        return doc.RootElement.Clone();
    }
}
