using System.Text.Json;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>A parameter of the compiled template, with the constraints its decorators became.</summary>
public sealed record ArmParameter(string Name, string Type, bool HasDefault, IReadOnlyList<JsonElement> AllowedValues, long? MinValue, long? MaxValue, int? MinLength, int? MaxLength);

/// <summary>
/// The ARM JSON <c>bicep build</c> makes of main.bicep (see BicepCli.MainArm): parameters with their types and
/// constraints, variables (loadJsonContent already resolved), and the module deployments with their templates.
/// </summary>
public sealed partial class ArmTemplate
{
    public ArmTemplate(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public static ArmTemplate Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new ArmTemplate(doc.RootElement.Clone());
    }

    public IReadOnlyDictionary<string, ArmParameter> Parameters()
    {
        var result = new Dictionary<string, ArmParameter>(StringComparer.OrdinalIgnoreCase);
        if (!Root.TryGetProperty("parameters", out var parameters))
        {
            return result;
        }

        foreach (var p in parameters.EnumerateObject())
        {
            var v = p.Value;
            result[p.Name] = new ArmParameter(
                p.Name,
                v.TryGetProperty("type", out var type) ? type.GetString() ?? string.Empty : string.Empty,
                v.TryGetProperty("defaultValue", out _),
                v.TryGetProperty("allowedValues", out var allowed) ? allowed.EnumerateArray().ToList() : [],
                Long(v, "minValue"),
                Long(v, "maxValue"),
                (int?)Long(v, "minLength"),
                (int?)Long(v, "maxLength"));
        }

        return result;
    }

    /// <summary>A variable's value, following <c>[variables('x')]</c> references (loadJsonContent compiles to one).</summary>
    public JsonElement? Variable(string name)
    {
        for (var hops = 0; hops < 10 && Root.TryGetProperty("variables", out var variables); hops++)
        {
            if (!variables.TryGetProperty(name, out var value))
            {
                return null;
            }

            var reference = value.ValueKind == JsonValueKind.String ? VariableReference().Match(value.GetString()!) : Match.Empty;
            if (!reference.Success)
            {
                return value;
            }

            name = reference.Groups["name"].Value;
        }

        return null;
    }

    /// <summary>The module deployment named <paramref name="name"/> (a Microsoft.Resources/deployments resource).</summary>
    public JsonElement? Module(string name) =>
        Resources().Cast<JsonElement?>().FirstOrDefault(r =>
            r!.Value.TryGetProperty("type", out var type) && type.GetString() == "Microsoft.Resources/deployments"
            && r.Value.TryGetProperty("name", out var n) && n.GetString() == name);

    /// <summary>A module's parameter value as passed (<c>properties.parameters.&lt;name&gt;.value</c>), with variable references followed.</summary>
    public JsonElement? ModuleParameter(string module, string parameter)
    {
        if (Module(module) is not { } deployment
            || !deployment.TryGetProperty("properties", out var properties)
            || !properties.TryGetProperty("parameters", out var parameters)
            || !parameters.TryGetProperty(parameter, out var p)
            || !p.TryGetProperty("value", out var value))
        {
            return null;
        }

        var reference = value.ValueKind == JsonValueKind.String ? VariableReference().Match(value.GetString()!) : Match.Empty;
        return reference.Success ? Variable(reference.Groups["name"].Value) : value;
    }

    private IEnumerable<JsonElement> Resources() =>
        Root.TryGetProperty("resources", out var resources)
            ? resources.ValueKind switch
            {
                JsonValueKind.Array => resources.EnumerateArray(),
                JsonValueKind.Object => resources.EnumerateObject().Select(p => p.Value), // symbolic-name codegen
                _ => [],
            }
            : [];

    private static long? Long(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex VariableReference();
}
