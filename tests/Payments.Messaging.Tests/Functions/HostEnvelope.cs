using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Payments.Messaging.Tests.Functions;

/// <summary>
/// Builds invocation requests the way the Functions host does for a custom handler (azure-functions-host,
/// GetHttpScriptInvocationContextValue): every trigger and binding-data value goes through
/// JsonConvert.SerializeObject unless it is an object, so strings are JSON-encoded twice, numbers become strings,
/// and DateTime values lose their fraction and their 'Z'.
/// </summary>
internal static class HostEnvelope
{
    private static readonly JsonSerializerOptions Newtonsoftish = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>SerializeObject(value): the JSON text of the value, itself sent as a JSON string.</summary>
    public static JsonNode Serialized(object value) => JsonValue.Create(JsonSerializer.Serialize(value, Newtonsoftish))!;

    /// <summary>A DateTime as the host passes it: ToString() then Parse, then serialized without fraction or zone.</summary>
    public static JsonNode Date(DateTime utc) => JsonValue.Create(utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture))!;

    public static string ServiceBus(string bindingName, string body, string messageId = "evt_1", int deliveryCount = 1,
        DateTime? enqueuedUtc = null, IDictionary<string, object>? applicationProperties = null, string? subject = null, string? correlationId = null)
    {
        var properties = new JsonObject();
        foreach (var (k, v) in applicationProperties ?? new Dictionary<string, object>())
        {
            properties[k] = JsonSerializer.SerializeToNode(v);
        }

        var metadata = new JsonObject
        {
            ["MessageId"] = Serialized(messageId),
            ["DeliveryCount"] = Serialized(deliveryCount),
            ["EnqueuedTimeUtc"] = Date(enqueuedUtc ?? new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc)),
            ["SequenceNumber"] = Serialized(123L),
            ["ApplicationProperties"] = properties,
            ["UserProperties"] = properties.DeepClone(),
            ["sys"] = new JsonObject { ["MethodName"] = "Functions.x", ["UtcNow"] = "2024-05-01T10:20:31.123Z", ["RandGuid"] = Guid.NewGuid().ToString() },
        };
        if (subject is not null)
        {
            metadata["Subject"] = Serialized(subject);
            metadata["Label"] = Serialized(subject);
        }

        if (correlationId is not null)
        {
            metadata["CorrelationId"] = Serialized(correlationId);
        }

        return new JsonObject { ["Data"] = new JsonObject { [bindingName] = Serialized(body) }, ["Metadata"] = metadata }.ToJsonString(Newtonsoftish);
    }

    public static string Timer(string bindingName, bool pastDue = false) => new JsonObject
    {
        ["Data"] = new JsonObject
        {
            [bindingName] = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = new JsonObject
                {
                    ["Last"] = "2024-05-01T10:15:00+00:00",
                    ["Next"] = "2024-05-01T10:20:00+00:00",
                    ["LastUpdated"] = "2024-05-01T10:15:00.1234567+00:00",
                },
                ["IsPastDue"] = pastDue,
            },
        },
        ["Metadata"] = new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "Functions.sweep" } },
    }.ToJsonString();
}
