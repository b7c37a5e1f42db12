using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>
/// The consistency rules between the app (function.json files, configuration keys), the settings manifest
/// and the Bicep template. Each returns the problems it finds (empty = consistent), so the rules can be
/// tested on their own with broken inputs (see CheckerTests).
/// </summary>
public static partial class InfraChecks
{
    private const string ServiceBusTriggerType = "serviceBusTrigger";

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

    /// <summary>
    /// Every binding's connection is an identity-based app setting that main.bicep sets, and every Service Bus
    /// entity a binding names exists in servicebus-entities.json.
    /// </summary>
    public static List<string> BindingProblems(IEnumerable<FunctionManifest> functions, BicepTemplate template, ServiceBusEntities entities)
    {
        var problems = new List<string>();
        foreach (var function in functions)
        {
            if (function.Bindings.Count == 0)
            {
                problems.Add($"{function.Name}: {Repo.Relative(function.Path)} is missing or has no bindings");
                continue;
            }

            if (function.Bindings.Count(b => b.IsTrigger) != 1)
            {
                problems.Add($"{function.Name}: a function needs exactly one trigger binding");
            }

            foreach (var binding in function.Bindings)
            {
                var where = $"{function.Name} ({binding.Type})";
                var setting = ConnectionSetting(binding);
                if (setting.Unknown)
                {
                    problems.Add($"{where}: binding type '{binding.Type}' is unknown to the infra tests; teach InfraChecks.ConnectionSetting which app setting and role it needs");
                    continue;
                }

                if (setting.EnvName is not null && template.SettingLines(setting.EnvName).Count == 0)
                {
                    problems.Add($"{where}: needs app setting {setting.EnvName} (identity-based connection '{setting.Name}'), which main.bicep does not set");
                }

                foreach (var expression in BindingExpressions(binding))
                {
                    if (template.SettingLines(expression).Count == 0)
                    {
                        problems.Add($"{where}: %{expression}% names app setting {expression}, which main.bicep does not set");
                    }
                }

                if (binding.Type.StartsWith("serviceBus", StringComparison.OrdinalIgnoreCase))
                {
                    problems.AddRange(EntityProblems(where, binding, entities));
                }
            }
        }

        return problems;
    }

    /// <summary>The roles the app identity needs, from the settings main.bicep sets and from the bindings.</summary>
    public static List<RoleRequirement> RequiredRoles(AppSettingsManifest manifest, IEnumerable<FunctionManifest> functions)
    {
        var roles = new List<RoleRequirement>
        {
            new(BuiltInRoles.StorageAccount, BuiltInRoles.StorageBlobDataOwner, "Flex Consumption reads the deployment package with the app identity"),
        };
        var set = manifest.Set.ToList();
        bool Sets(string key) => set.Any(s => s.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

        if (set.Any(s => s.Source == "keyvault"))
        {
            roles.Add(new(BuiltInRoles.KeyVault, BuiltInRoles.KeyVaultSecretsUser, "Key Vault references: " + string.Join(", ", set.Where(s => s.Source == "keyvault").Select(s => s.EnvName))));
        }

        if (Sets("AzureWebJobsStorage:blobServiceUri"))
        {
            roles.Add(new(BuiltInRoles.StorageAccount, BuiltInRoles.StorageBlobDataOwner, "AzureWebJobsStorage (host storage)"));
        }

        if (Sets("AzureWebJobsStorage:queueServiceUri"))
        {
            roles.Add(new(BuiltInRoles.StorageAccount, BuiltInRoles.StorageQueueDataContributor, "AzureWebJobsStorage (host queues)"));
        }

        if (Sets("Storage:TableServiceUri") || Sets("AzureWebJobsStorage:tableServiceUri"))
        {
            roles.Add(new(BuiltInRoles.StorageAccount, BuiltInRoles.StorageTableDataContributor, "the app's tables (Storage:TableServiceUri)"));
        }

        if (Sets("ServiceBus:FullyQualifiedNamespace"))
        {
            roles.Add(new(BuiltInRoles.ServiceBusNamespace, BuiltInRoles.ServiceBusDataSender, "the app's ServiceBusClient (ServiceBus:FullyQualifiedNamespace)"));
        }

        if (set.Any(s => s.Key.Equals("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", StringComparison.OrdinalIgnoreCase)))
        {
            roles.Add(new(BuiltInRoles.ApplicationInsights, BuiltInRoles.MonitoringMetricsPublisher, "Entra-authenticated telemetry"));
        }

        foreach (var function in functions)
        {
            foreach (var binding in function.Bindings)
            {
                var setting = ConnectionSetting(binding);
                if (setting.Role is not null)
                {
                    roles.Add(new(setting.ResourceType!, setting.Role, $"{function.Name}: {binding.Type} ({binding.Direction})"));
                }
            }
        }

        return roles;
    }

    public static List<string> RoleProblems(IEnumerable<RoleRequirement> required, RoleAssignments assignments)
    {
        var problems = new List<string>();
        foreach (var (symbol, id) in assignments.RoleIds)
        {
            var expected = BuiltInRoles.Ids.Values.Contains(id, StringComparer.OrdinalIgnoreCase);
            if (!expected)
            {
                problems.Add($"roles.bicep: roleIds.{symbol} = {id} is not one of the built-in role ids the tests know ({string.Join(", ", BuiltInRoles.Ids.Keys)})");
            }
        }

        foreach (var requirement in required.DistinctBy(r => (r.ResourceType, r.Role)))
        {
            if (!assignments.Grants(requirement))
            {
                problems.Add($"the app identity needs {requirement.Role} ({BuiltInRoles.Ids[requirement.Role]}) on {requirement.ResourceType} for {requirement.Reason}; roles.bicep does not assign it");
            }
        }

        return problems;
    }

    /// <summary>Every HTTP function, and only those, has its URL in the functionUrls output, with its route.</summary>
    public static List<string> FunctionUrlProblems(IEnumerable<FunctionManifest> functions, BicepTemplate template)
    {
        var problems = new List<string>();
        if (template.UrlsBlock is null)
        {
            problems.Add($"main.bicep has no '{BicepTemplate.UrlsBegin}' … '{BicepTemplate.UrlsEnd}' block around the functionUrls output");
            return problems;
        }

        var outputs = template.FunctionUrlRoutes();
        var http = functions.Where(f => f.IsHttp).ToList();
        foreach (var function in http)
        {
            if (!outputs.TryGetValue(function.Name, out var route))
            {
                problems.Add($"functionUrls has no entry for HTTP function {function.Name}: add  {function.Name}: '${{apiBaseUrl}}/{function.Route}'");
            }
            else if (!string.Equals(route, function.Route, StringComparison.Ordinal))
            {
                problems.Add($"functionUrls.{function.Name} is '{route}', but its function.json route is '{function.Route}'");
            }
        }

        foreach (var name in outputs.Keys.Where(n => !http.Any(f => f.Name == n)))
        {
            problems.Add($"functionUrls.{name} names no HTTP function folder under src/Payments.Host/functions");
        }

        return problems;
    }

    /// <summary>Where a binding connects, and what that needs. Connections are identity-based app settings.</summary>
    public sealed record BindingConnection(string? Name, string? EnvName, string? ResourceType, string? Role, bool Unknown);

    public static BindingConnection ConnectionSetting(FunctionBinding binding)
    {
        var trigger = binding.Direction == "in";
        string Conn(string fallback) => binding.Get("connection") ?? fallback;
        switch (binding.Type.ToLowerInvariant())
        {
            case "httptrigger":
            case "http":
                return new BindingConnection(null, null, null, null, false);
            case "servicebustrigger":
            case "servicebus":
                var sb = Conn("AzureWebJobsServiceBus");
                return new BindingConnection(sb, sb + "__fullyQualifiedNamespace", BuiltInRoles.ServiceBusNamespace,
                    trigger ? BuiltInRoles.ServiceBusDataReceiver : BuiltInRoles.ServiceBusDataSender, false);
            case "timertrigger":
                // The host keeps timer schedules and singleton locks in AzureWebJobsStorage (blob).
                return new BindingConnection("AzureWebJobsStorage", "AzureWebJobsStorage__blobServiceUri", BuiltInRoles.StorageAccount, BuiltInRoles.StorageBlobDataOwner, false);
            case "queuetrigger":
            case "queue":
                var q = Conn("AzureWebJobsStorage");
                return new BindingConnection(q, q + "__queueServiceUri", BuiltInRoles.StorageAccount, BuiltInRoles.StorageQueueDataContributor, false);
            case "blobtrigger":
            case "blob":
                var b = Conn("AzureWebJobsStorage");
                return new BindingConnection(b, b + "__blobServiceUri", BuiltInRoles.StorageAccount, BuiltInRoles.StorageBlobDataOwner, false);
            case "table":
                var t = Conn("AzureWebJobsStorage");
                return new BindingConnection(t, t + "__tableServiceUri", BuiltInRoles.StorageAccount, BuiltInRoles.StorageTableDataContributor, false);
            default:
                return new BindingConnection(null, null, null, null, Unknown: true);
        }
    }

    private static IEnumerable<string> BindingExpressions(FunctionBinding binding)
    {
        foreach (var property in binding.Json.EnumerateObject())
        {
            if (property.Value.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                continue;
            }

            foreach (Match m in BindingExpression().Matches(property.Value.GetString() ?? string.Empty))
            {
                yield return ConfigKey.ToEnv(m.Groups["name"].Value);
            }
        }
    }

    private static IEnumerable<string> EntityProblems(string where, FunctionBinding binding, ServiceBusEntities entities)
    {
        static bool IsExpression(string? value) => value is not null && value.Contains('%', StringComparison.Ordinal);
        var topic = binding.Get("topicName");
        var subscription = binding.Get("subscriptionName");
        var queue = binding.Get("queueName");
        if (IsExpression(topic) || IsExpression(subscription) || IsExpression(queue))
        {
            yield break; // resolved from an app setting at run time; the setting itself is checked above
        }

        if (queue is not null)
        {
            if (!entities.Queues.Contains(queue))
            {
                yield return $"{where}: queue '{queue}' is not in infra-bicep/servicebus-entities.json";
            }
        }
        else if (topic is not null)
        {
            if (!entities.Topics.TryGetValue(topic, out var subs))
            {
                yield return $"{where}: topic '{topic}' is not in infra-bicep/servicebus-entities.json";
            }
            else if (binding.Type.Equals(ServiceBusTriggerType, StringComparison.OrdinalIgnoreCase)
                && (subscription is null || !subs.Contains(subscription)))
            {
                yield return $"{where}: subscription '{subscription}' of topic '{topic}' is not in infra-bicep/servicebus-entities.json";
            }
        }
        else
        {
            yield return $"{where}: names neither queueName nor topicName";
        }
    }

    [GeneratedRegex(@"^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"%(?<name>[A-Za-z0-9_:.-]+)%")]
    private static partial Regex BindingExpression();
}
