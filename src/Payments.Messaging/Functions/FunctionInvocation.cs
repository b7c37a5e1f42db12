using System.Text.Json;

namespace Payments.Messaging.Functions;

/// <summary>
/// The body the Functions host POSTs to <c>/{FunctionName}</c> for a non-HTTP trigger:
/// <c>{"Data":{"&lt;bindingName&gt;": value, …}, "Metadata":{"&lt;bindingData key&gt;": value, "sys": {…}}}</c>.
/// Keys are matched case-insensitively. <c>Data</c> or <c>Metadata</c> may be missing or null (empty), or arrive as a
/// JSON string holding the object (decoded). Anything that is not a JSON object is an <see cref="InvocationEnvelopeException"/>.
/// </summary>
public sealed class FunctionInvocation
{
    /// <summary>The header the host puts the invocation id in.</summary>
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    private static readonly IReadOnlyDictionary<string, JsonElement> Empty = new Dictionary<string, JsonElement>();

    private FunctionInvocation(IReadOnlyDictionary<string, JsonElement> data, IReadOnlyDictionary<string, JsonElement> metadata, string? invocationId)
    {
        Data = data;
        Metadata = metadata;
        InvocationId = invocationId;
    }

    public IReadOnlyDictionary<string, JsonElement> Data { get; }

    public IReadOnlyDictionary<string, JsonElement> Metadata { get; }

    /// <summary>The host's invocation id (from <see cref="InvocationIdHeader"/>), for logs.</summary>
    public string? InvocationId { get; }

    public static FunctionInvocation Parse(ReadOnlySpan<byte> utf8Json, string? invocationId = null)
    {
        if (utf8Json.IsEmpty || utf8Json.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            throw new InvocationEnvelopeException("The invocation request has no body.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new InvocationEnvelopeException($"The invocation request is not JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvocationEnvelopeException($"The invocation request is a JSON {Describe(root.ValueKind)}, not an object with Data and Metadata.");
            }

            IReadOnlyDictionary<string, JsonElement> data = Empty, metadata = Empty;
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("Data") || property.Name.Equals("Data", StringComparison.OrdinalIgnoreCase))
                {
                    data = Section("Data", property.Value);
                }
                else if (property.Name.Equals("Metadata", StringComparison.OrdinalIgnoreCase))
                {
                    metadata = Section("Metadata", property.Value);
                }
            }

            return new FunctionInvocation(data, metadata, invocationId);
        }
    }

    public bool TryGetData(string bindingName, out JsonElement value) => Data.TryGetValue(bindingName, out value);

    public bool TryGetMetadata(string key, out JsonElement value) => Metadata.TryGetValue(key, out value);

    private static Dictionary<string, JsonElement> Section(string name, JsonElement value)
    {
        var section = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return section;
        }

        if (EnvelopeValues.AsObject(value) is not { } obj)
        {
            throw new InvocationEnvelopeException($"'{name}' in the invocation request is a JSON {Describe(value.ValueKind)}, not an object.");
        }

        foreach (var property in obj.EnumerateObject())
        {
            section.TryAdd(property.Name, property.Value.Clone());
        }

        return section;
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
