using System.Text;
using System.Text.Json;

namespace Payments.Messaging.Functions;

/// <summary>How the function.json binding hands the message body to the host (its <c>dataType</c>).</summary>
public enum TriggerDataType
{
    /// <summary>No dataType or <c>"string"</c>: the body as UTF-8 text, JSON-encoded twice by the host.</summary>
    Text,

    /// <summary><c>"dataType": "binary"</c>: the body's bytes, as base64.</summary>
    Binary,
}

/// <summary>
/// Turns the host's invocation request for a <c>serviceBusTrigger</c> into a <see cref="ReceivedMessage"/>: the body
/// from <c>Data[bindingName]</c>, the rest from the Service Bus binding data in <c>Metadata</c> (<c>MessageId</c>,
/// <c>DeliveryCount</c>, <c>EnqueuedTimeUtc</c>, <c>SequenceNumber</c>, <c>CorrelationId</c>, <c>ContentType</c>,
/// <c>Subject</c> or the older <c>Label</c>, <c>ApplicationProperties</c> or the older <c>UserProperties</c>).
/// Missing or odd metadata is tolerated; only a missing or unusable body is an <see cref="InvocationEnvelopeException"/>.
/// </summary>
public static class ServiceBusTriggerDecoder
{
    public static ReceivedMessage Decode(FunctionInvocation invocation, string bindingName, TriggerDataType dataType = TriggerDataType.Text)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        if (!invocation.TryGetData(bindingName, out var data))
        {
            var present = invocation.Data.Count == 0 ? "none" : string.Join(", ", invocation.Data.Keys.Select(k => $"'{k}'"));
            throw new InvocationEnvelopeException($"The invocation request has no Data['{bindingName}'] (the trigger binding's name); Data has {present}.");
        }

        var meta = invocation.Metadata;
        return new ReceivedMessage
        {
            Body = Body(data, bindingName, dataType),
            MessageId = Get(meta, "MessageId") is { } id ? EnvelopeValues.Text(id) : null,
            DeliveryCount = Get(meta, "DeliveryCount") is { } count && EnvelopeValues.ReadInt32(count) is { } n && n > 0 ? n : 1,
            EnqueuedTimeUtc = (Get(meta, "EnqueuedTimeUtc") ?? Get(meta, "EnqueuedTime")) is { } at ? EnvelopeValues.ReadDateTime(at) : null,
            SequenceNumber = Get(meta, "SequenceNumber") is { } sequence ? EnvelopeValues.ReadInt64(sequence) : null,
            CorrelationId = Get(meta, "CorrelationId") is { } correlation ? EnvelopeValues.Text(correlation) : null,
            ContentType = Get(meta, "ContentType") is { } contentType ? EnvelopeValues.Text(contentType) : null,
            Subject = (Get(meta, "Subject") ?? Get(meta, "Label")) is { } subject ? EnvelopeValues.Text(subject) : null,
            ApplicationProperties = Properties(Get(meta, "ApplicationProperties") ?? Get(meta, "UserProperties")),
        };
    }

    private static JsonElement? Get(IReadOnlyDictionary<string, JsonElement> metadata, string key) =>
        metadata.TryGetValue(key, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    private static byte[] Body(JsonElement data, string bindingName, TriggerDataType dataType)
    {
        switch (data.ValueKind)
        {
            case JsonValueKind.String:
                var text = data.GetString()!;
                if (dataType == TriggerDataType.Binary)
                {
                    var base64 = EnvelopeValues.Unwrap(text);
                    try
                    {
                        return Convert.FromBase64String(base64);
                    }
                    catch (FormatException ex)
                    {
                        throw new InvocationEnvelopeException($"Data['{bindingName}'] should be base64 (dataType binary) but is not.", ex);
                    }
                }

                // The host JSON-encodes string bodies once more: "\"hello\"" → hello, "\"{\\\"a\\\":1}\"" → {"a":1}.
                // Exactly one layer is removed, so a body that is itself a JSON string literal keeps its quotes.
                if (text.Length >= 2 && text[0] == '"' && text[^1] == '"' && EnvelopeValues.TryDecodeJsonString(text, out var inner))
                {
                    text = inner;
                }

                return Encoding.UTF8.GetBytes(text);
            case JsonValueKind.Null:
                return [];
            default:
                // An object, array, number or boolean: the body is that JSON as written.
                return Encoding.UTF8.GetBytes(data.GetRawText());
        }
    }

    private static Dictionary<string, string> Properties(JsonElement? value)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is not { } element || EnvelopeValues.AsObject(element) is not { } obj)
        {
            return properties;
        }

        foreach (var property in obj.EnumerateObject())
        {
            var text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => property.Value.GetRawText(),
            };
            if (text is not null)
            {
                properties.TryAdd(property.Name, text);
            }
        }

        return properties;
    }
}
