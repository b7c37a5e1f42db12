using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>
/// The consistency rules between the app (function.json files, configuration keys), the settings manifest
/// and the Bicep template. Each returns the problems it finds (empty = consistent), so the rules can be
/// tested on their own with broken inputs (see CheckerTests). The binding and role rules are in InfraChecks.Bindings.cs.
/// </summary>
public static partial class InfraChecks
{
    /// <summary>The manifest itself: unique keys, known sources, the fields each source needs.</summary>
    /// <param name="declaredParameters">main.bicep's parameters (from the compiled template: ArmTemplate.Parameters()).</param>
    public static List<string> ManifestProblems(AppSettingsManifest manifest, IEnumerable<string> declaredParameters)
    {
        var problems = new List<string>();
        var parameters = declaredParameters.ToHashSet(StringComparer.Ordinal);
        foreach (var group in manifest.Settings.GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{group.Key}: listed {group.Count()} times");
        }

        foreach (var s in manifest.Settings)
        {
            var known = AppSettingsManifest.SetByTemplate.Contains(s.Source) || AppSettingsManifest.NotSetByTemplate.Contains(s.Source);
            if (!known)
            {
                problems.Add($"{s.Key}: unknown source '{s.Source}'");
                continue;
            }

            if (s.Required && !AppSettingsManifest.SetByTemplate.Contains(s.Source))
            {
                problems.Add($"{s.Key}: required, so its source must be one main.bicep sets (resource, parameter, keyvault, constant), not '{s.Source}'");
            }

            if (AppSettingsManifest.SetByTemplate.Contains(s.Source) && s.Key.Contains(ConfigKey.Any, StringComparison.Ordinal))
            {
                problems.Add($"{s.Key}: a wildcard key cannot be set by the template; list the concrete keys");
            }

            if (s.Source == "keyvault" && (s.Secret is null || !SecretName().IsMatch(s.Secret.Replace(ConfigKey.Index, "0", StringComparison.Ordinal))))
            {
                problems.Add($"{s.Key}: a keyvault setting needs \"secret\": a Key Vault secret name (letters, digits, '-', 1-127)");
            }

            if (s.Source == "parameter" && (s.Parameter is null || !parameters.Contains(s.Parameter)))
            {
                problems.Add($"{s.Key}: \"parameter\" must name a parameter declared in main.bicep (got '{s.Parameter}')");
            }
        }

        return problems;
    }

    /// <summary>
    /// main.parameters.json against the compiled template's parameters: only declared ones, every one without a
    /// default, and each value of the declared type within its @allowed / @minValue / @maxValue / @minLength / @maxLength.
    /// </summary>
    public static List<string> ParametersFileProblems(ArmTemplate template, JsonElement parametersFile)
    {
        var problems = new List<string>();
        var declared = template.Parameters();
        var given = parametersFile.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().ToDictionary(e => e.Name, e => e.Value, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);

        foreach (var parameter in declared.Values.Where(d => !d.HasDefault && !given.ContainsKey(d.Name)))
        {
            problems.Add($"main.bicep parameter '{parameter.Name}' has no default and main.parameters.json does not set it");
        }

        foreach (var (name, entry) in given)
        {
            if (!declared.TryGetValue(name, out var parameter))
            {
                problems.Add($"main.parameters.json sets '{name}', which main.bicep does not declare");
                continue;
            }

            if (!entry.TryGetProperty("value", out var value))
            {
                problems.Add($"main.parameters.json: '{name}' has no \"value\" (Key Vault references do not belong there)");
                continue;
            }

            problems.AddRange(ValueProblems(parameter, value).Select(problem => $"main.parameters.json: '{name}' {problem}"));
        }

        return problems;
    }

    /// <summary>
    /// main.bicep passes the entities of servicebus-entities.json (the file the binding checks read) to the Service
    /// Bus module: in the compiled template loadJsonContent is resolved, so the value must equal the file.
    /// </summary>
    public static List<string> ServiceBusEntitiesProblems(ArmTemplate template, ServiceBusEntities entities, string module = "servicebus")
    {
        var passed = template.ModuleParameter(module, "entities");
        if (passed is null)
        {
            return [$"the compiled template has no module deployment '{module}' with an 'entities' parameter"];
        }

        return JsonElement.DeepEquals(passed.Value, entities.Json)
            ? []
            : [$"module '{module}' gets entities that are not infra-bicep/servicebus-entities.json: {passed.Value.GetRawText()[..Math.Min(300, passed.Value.GetRawText().Length)]}"];
    }

    private static IEnumerable<string> ValueProblems(ArmParameter parameter, JsonElement value)
    {
        var kind = parameter.Type.ToLowerInvariant() switch
        {
            "string" or "securestring" => "a string",
            "int" => "an integer",
            "bool" => "a boolean",
            "array" => "an array",
            "object" or "secureobject" => "an object",
            _ => null,
        };
        var matches = kind switch
        {
            "a string" => value.ValueKind == JsonValueKind.String,
            "an integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            "a boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "an array" => value.ValueKind == JsonValueKind.Array,
            "an object" => value.ValueKind == JsonValueKind.Object,
            _ => true,
        };
        if (!matches)
        {
            yield return $"is {value.ValueKind}, but main.bicep declares {kind} ({parameter.Type})";
            yield break;
        }

        if (parameter.AllowedValues.Count > 0 && !parameter.AllowedValues.Any(a => JsonElement.DeepEquals(a, value)))
        {
            yield return $"is {value.GetRawText()}, not one of the allowed {string.Join(", ", parameter.AllowedValues.Select(a => a.GetRawText()))}";
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            && ((parameter.MinValue is { } min && number < min) || (parameter.MaxValue is { } max && number > max)))
        {
            yield return $"is {number}, outside {parameter.MinValue?.ToString(CultureInfo.InvariantCulture) ?? "…"}..{parameter.MaxValue?.ToString(CultureInfo.InvariantCulture) ?? "…"}";
        }

        var length = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Length,
            JsonValueKind.Array => value.GetArrayLength(),
            _ => (int?)null,
        };
        if (length is { } l && ((parameter.MinLength is { } minLength && l < minLength) || (parameter.MaxLength is { } maxLength && l > maxLength)))
        {
            yield return $"has length {l}, outside {parameter.MinLength?.ToString(CultureInfo.InvariantCulture) ?? "…"}..{parameter.MaxLength?.ToString(CultureInfo.InvariantCulture) ?? "…"}";
        }
    }

    /// <summary>
    /// main.bicep's app-settings block against the manifest: every set entry is set (a Key Vault reference to
    /// its secret, or from its parameter), no "never" entry is set, and nothing is set that the manifest lacks.
    /// </summary>
    public static List<string> SettingsProblems(AppSettingsManifest manifest, BicepTemplate template)
    {
        var problems = new List<string>();
        if (template.SettingsBlock is null)
        {
            problems.Add($"main.bicep has no '{BicepTemplate.SettingsBegin}' … '{BicepTemplate.SettingsEnd}' block around the app settings");
            return problems;
        }

        foreach (var s in manifest.Set)
        {
            var lines = template.SettingLines(s.EnvName);
            if (lines.Count == 0)
            {
                problems.Add($"{s.EnvName} ({s.Source}) is not set in main.bicep's app settings");
                continue;
            }

            if (s.Source == "keyvault")
            {
                var secret = new Regex(BicepTemplate.KeyPattern(s.Secret ?? "?"));
                if (!lines.Any(l => (l.Contains("${kvRef}", StringComparison.Ordinal) || l.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal)) && secret.IsMatch(l)))
                {
                    problems.Add($"{s.EnvName} must be a Key Vault reference to secret '{s.Secret}' ('${{kvRef}}{s.Secret})'); found: {string.Join(" | ", lines)}");
                }
            }
            else if (s.Source == "parameter" && s.Parameter is not null
                && !lines.Any(l => Regex.IsMatch(l, @"\b" + Regex.Escape(s.Parameter) + @"\b")))
            {
                problems.Add($"{s.EnvName} must come from parameter '{s.Parameter}'; found: {string.Join(" | ", lines)}");
            }
        }

        foreach (var s in manifest.Settings.Where(s => s.Source == "never"))
        {
            var lines = template.SettingLines(s.EnvName);
            var indexed = s.Key.Contains(ConfigKey.Index, StringComparison.Ordinal)
                ? template.SettingLines(s.EnvName.Replace(ConfigKey.Index, "0", StringComparison.Ordinal))
                : [];
            if (lines.Count + indexed.Count > 0)
            {
                problems.Add($"{s.EnvName} must not be set in Azure ({s.Key}: never); found: {string.Join(" | ", lines.Concat(indexed))}");
            }
        }

        foreach (var key in template.SettingKeys())
        {
            var entry = manifest.Settings.FirstOrDefault(s => ConfigKey.Matches(s.Key, key));
            if (entry is null)
            {
                problems.Add($"main.bicep sets {ConfigKey.ToEnv(key)}, which infra-bicep/app-settings.json does not list");
            }
            else if (!AppSettingsManifest.SetByTemplate.Contains(entry.Source))
            {
                problems.Add($"main.bicep sets {ConfigKey.ToEnv(key)}, but app-settings.json says its source is '{entry.Source}'");
            }
        }

        return problems;
    }

    /// <summary>Every key or section the app reads is in the manifest.</summary>
    public static List<string> CoverageProblems(AppSettingsManifest manifest, IEnumerable<ConfigurationRead> reads) =>
        reads
            .Where(r => manifest.Covering(r.Key) is null)
            .GroupBy(r => r.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => $"{g.Key} is read by the app ({string.Join(", ", g.Select(r => r.Where).Distinct().Take(3))}) but infra-bicep/app-settings.json does not list it: add it (source resource/parameter/keyvault/constant and set it in main.bicep, or default/platform/standalone/never)")
            .ToList();

    [GeneratedRegex(@"^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex SecretName();
}
