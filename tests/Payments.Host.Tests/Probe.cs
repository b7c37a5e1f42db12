namespace Payments.Host.Tests;

/// <summary>One generated request: what is sent, and why it is bad (for the report when an answer is wrong).</summary>
public sealed record Probe(string Method, string Target, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, string? ContentType,
    string? Chunking, string Why)
{
    public override string ToString()
    {
        var body = Body is null ? "(none)" : Encoding.UTF8.GetString(Body);
        return $"[{Why}] {Method} {Cut(Target, 300)} content-type={ContentType ?? "(none)"} chunking={Chunking ?? "(none)"} "
            + $"headers={string.Join(", ", Headers.Select(h => $"{h.Name}={Cut(h.Value, 80)}"))} body={Cut(body, 600)}";
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : $"{text[..max]}…({text.Length} chars)";
}
