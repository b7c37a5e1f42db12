using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Infra.Tests.Infra;

namespace Payments.Infra.Tests;

/// <summary>
/// Every function.json under src/Payments.Host/functions (read fresh: others keep adding functions) against
/// the template: trigger connections are identity-based settings main.bicep sets, the app identity holds the
/// roles they need, the Service Bus entities they name exist, and every HTTP function has its URL output.
/// </summary>
public partial class FunctionBindingTests
{
    private static IReadOnlyList<FunctionManifest> Functions() => FunctionManifest.LoadAll(Repo.FunctionsDir);

    [Fact]
    public void There_are_function_folders_to_check()
    {
        Assert.NotEmpty(Functions());
    }

    [Fact]
    public void Every_binding_connects_through_a_setting_main_bicep_sets_and_names_entities_that_exist()
    {
        var problems = InfraChecks.BindingProblems(Functions(), BicepTemplate.Load(Repo.MainBicep), ServiceBusEntities.Load(Repo.ServiceBusEntities));
        Assert.True(problems.Count == 0, AppSettingsTests.Report("function.json bindings", problems));
    }

    [Fact]
    public void The_app_identity_holds_every_role_its_settings_and_bindings_need()
    {
        var required = InfraChecks.RequiredRoles(AppSettingsManifest.Load(Repo.AppSettingsManifest), Functions());
        var problems = InfraChecks.RoleProblems(required, RoleAssignments.Load(Repo.RolesBicep));
        Assert.True(problems.Count == 0, AppSettingsTests.Report("role assignments (modules/roles.bicep)", problems));
    }

    [Fact]
    public void The_role_assignments_go_to_the_function_app_identity()
    {
        Assert.Matches(AppPrincipalWiring(), File.ReadAllText(Repo.MainBicep));
    }

    [Fact]
    public void Every_http_function_has_its_url_in_the_outputs()
    {
        var problems = InfraChecks.FunctionUrlProblems(Functions(), BicepTemplate.Load(Repo.MainBicep));
        Assert.True(problems.Count == 0, AppSettingsTests.Report("functionUrls output", problems));
    }

    [Fact]
    public void The_service_bus_entities_the_app_uses_exist_with_dead_lettering_and_duplicate_detection()
    {
        var entities = ServiceBusEntities.Load(Repo.ServiceBusEntities);
        var problems = new List<string>();

        // main.bicep deploys this very file.
        if (!File.ReadAllText(Repo.MainBicep).Contains("loadJsonContent('servicebus-entities.json')", StringComparison.Ordinal))
        {
            problems.Add("main.bicep does not load servicebus-entities.json");
        }

        // The README's Service Bus entities, plus every name constant (topic, queue or subscription) of the app's MessagingEntities class.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "payment-events", "payment-charges" };
        names.UnionWith(AppEntityNames());
        foreach (var name in names.Where(n => !entities.Topics.ContainsKey(n) && !entities.Queues.Contains(n) && !entities.Topics.Values.Any(s => s.Contains(n))))
        {
            problems.Add($"the app uses Service Bus entity '{name}' (a topic, queue or subscription name), which servicebus-entities.json does not create");
        }

        foreach (var topic in ServiceBusEntities.Array(entities.Json, "topics"))
        {
            var name = topic.GetProperty("name").GetString();
            if (!topic.TryGetProperty("requiresDuplicateDetection", out var dup) || dup.ValueKind != JsonValueKind.True
                || !topic.TryGetProperty("duplicateDetectionHistoryTimeWindow", out _))
            {
                problems.Add($"topic {name}: duplicate detection must be on with a history window (events are sent with MessageId = event id)");
            }

            foreach (var sub in ServiceBusEntities.Array(topic, "subscriptions"))
            {
                problems.AddRange(DeliveryProblems($"subscription {name}/{sub.GetProperty("name").GetString()}", sub));
            }
        }

        foreach (var queue in ServiceBusEntities.Array(entities.Json, "queues"))
        {
            problems.AddRange(DeliveryProblems($"queue {queue.GetProperty("name").GetString()}", queue));
        }

        Assert.True(problems.Count == 0, AppSettingsTests.Report("infra-bicep/servicebus-entities.json", problems));
    }

    private static IEnumerable<string> DeliveryProblems(string what, JsonElement entity)
    {
        if (!entity.TryGetProperty("maxDeliveryCount", out var max) || max.ValueKind != JsonValueKind.Number || max.GetInt32() < 1)
        {
            yield return $"{what}: maxDeliveryCount must be set (at least 1): after that many failed deliveries the message is dead-lettered";
        }

        if (!entity.TryGetProperty("deadLetteringOnMessageExpiration", out var dl) || dl.ValueKind != JsonValueKind.True)
        {
            yield return $"{what}: deadLetteringOnMessageExpiration must be true (expired messages are kept for inspection)";
        }

        if (!entity.TryGetProperty("lockDuration", out _))
        {
            yield return $"{what}: lockDuration must be set";
        }
    }

    /// <summary>String constants of any class named MessagingEntities under src/.</summary>
    private static IEnumerable<string> AppEntityNames()
    {
        foreach (var file in Directory.EnumerateFiles(Repo.SrcDir, "*.cs", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            if (!text.Contains("class MessagingEntities", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match m in StringConstant().Matches(text))
            {
                yield return m.Groups["value"].Value;
            }
        }
    }

    [GeneratedRegex(@"appPrincipalId:\s*functionApp\.outputs\.principalId")]
    private static partial Regex AppPrincipalWiring();

    [GeneratedRegex(@"const\s+string\s+\w+\s*=\s*""(?<value>[^""]+)""")]
    private static partial Regex StringConstant();
}
