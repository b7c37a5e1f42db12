using System.Text.Json;

namespace Payments.Infra.Tests.Infra;

/// <summary>One binding of a function.json.</summary>
public sealed record FunctionBinding(string Type, string Direction, JsonElement Json)
{
    public string? Get(string property) =>
        Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool IsTrigger => Direction == "in" && Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A function folder: src/Payments.Host/functions/&lt;Name&gt;/function.json.</summary>
public sealed record FunctionManifest(string Name, string Path, IReadOnlyList<FunctionBinding> Bindings)
{
    public FunctionBinding? Trigger => Bindings.FirstOrDefault(b => b.IsTrigger);

    public bool IsHttp => Trigger?.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The HTTP route (the function name when function.json gives none).</summary>
    public string? Route => IsHttp ? Trigger!.Get("route") ?? Name : null;

    /// <summary>Every function folder, read fresh from disk (others keep adding functions).</summary>
    public static IReadOnlyList<FunctionManifest> LoadAll(string functionsDir) =>
        Directory.Exists(functionsDir)
            ? Directory.GetDirectories(functionsDir).Order(StringComparer.Ordinal).Select(Load).ToList()
            : [];

    public static FunctionManifest Load(string dir)
    {
        var path = System.IO.Path.Combine(dir, "function.json");
        var name = System.IO.Path.GetFileName(dir);
        if (!File.Exists(path))
        {
            return new FunctionManifest(name, path, []);
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var bindings = doc.RootElement.TryGetProperty("bindings", out var b) && b.ValueKind == JsonValueKind.Array
            ? b.EnumerateArray().Select(x => new FunctionBinding(
                x.TryGetProperty("type", out var t) ? t.GetString() ?? string.Empty : string.Empty,
                x.TryGetProperty("direction", out var d) ? d.GetString() ?? string.Empty : string.Empty,
                x.Clone())).ToList()
            : [];
        return new FunctionManifest(name, path, bindings);
    }
}
