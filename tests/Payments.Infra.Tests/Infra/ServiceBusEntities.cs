using System.Text.Json;

namespace Payments.Infra.Tests.Infra;

/// <summary>infra-bicep/servicebus-entities.json, which main.bicep loads and modules/servicebus.bicep creates.</summary>
public sealed class ServiceBusEntities
{
    public ServiceBusEntities(IReadOnlyDictionary<string, IReadOnlySet<string>> topics, IReadOnlySet<string> queues, JsonElement json)
    {
        Topics = topics;
        Queues = queues;
        Json = json;
    }

    /// <summary>Topic → its subscriptions (names are case-insensitive in Service Bus).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Topics { get; }

    public IReadOnlySet<string> Queues { get; }

    public JsonElement Json { get; }

    public static ServiceBusEntities Load(string path) => Parse(File.ReadAllText(path));

    public static ServiceBusEntities Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement.Clone();
        var topics = new Dictionary<string, IReadOnlySet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var topic in Array(root, "topics"))
        {
            var subs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var sub in Array(topic, "subscriptions"))
            {
                subs.Add(sub.GetProperty("name").GetString()!);
            }

            topics[topic.GetProperty("name").GetString()!] = subs;
        }

        var queues = new HashSet<string>(Array(root, "queues").Select(q => q.GetProperty("name").GetString()!), StringComparer.OrdinalIgnoreCase);
        return new ServiceBusEntities(topics, queues, root);
    }

    public static IEnumerable<JsonElement> Array(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];
}
