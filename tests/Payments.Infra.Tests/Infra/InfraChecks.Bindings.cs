using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>
/// The rules between the function.json bindings and the template: each binding's connection setting and role,
/// the Service Bus entities it names, the role assignments they need, and the function URLs.
/// </summary>
public static partial class InfraChecks
{
    private const string ServiceBusTriggerType = "serviceBusTrigger";

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

    [GeneratedRegex(@"%(?<name>[A-Za-z0-9_:.-]+)%")]
    private static partial Regex BindingExpression();
}
