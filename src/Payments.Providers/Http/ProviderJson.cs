using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Validation;

namespace Payments.Providers.Http;

/// <summary>Request and response bodies as JSON, with unparseable answers mapped like every other provider failure.</summary>
public sealed class ProviderJson(string provider, JsonSerializerOptions serializerOptions)
{
    /// <summary>Bytes, not a stream, so that a retried request sends the same body again.</summary>
    public HttpContent Content<T>(T body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, serializerOptions));
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>Reads a successful response; an empty or unparseable body is an Unavailable provider failure.</summary>
    public async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        var raw = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<T>(raw, serializerOptions)
                ?? throw Invalid(response, "the body is empty or null", raw, null);
        }
        catch (JsonException ex)
        {
            throw Invalid(response, "the body is not the documented JSON", raw, ex);
        }
    }

    /// <summary>Sends <paramref name="request"/> with <paramref name="client"/> and reads the successful answer (see <see cref="ReadAsync{T}"/>).</summary>
    public async Task<T> SendAsync<T>(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await client.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    public Core.Providers.ProviderException Invalid(HttpResponseMessage response, string problem, string? raw, Exception? inner) =>
        ProviderErrors.InvalidResponse(provider, response.RequestMessage, response.StatusCode, problem, raw, inner);

    public Core.Providers.ProviderException Invalid(HttpStatusCode status, string problem, string? raw, Exception? inner = null) =>
        ProviderErrors.InvalidResponse(provider, null, status, problem, raw, inner);

    /// <summary>
    /// The serializer settings every provider's JSON starts from: web defaults with the provider's
    /// <paramref name="naming"/> (null: names as declared), nulls left out, numbers read from strings too.
    /// </summary>
    public static JsonSerializerOptions SerializerOptions(JsonNamingPolicy? naming, params JsonConverter[] converters)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = naming,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        foreach (var converter in converters)
        {
            options.Converters.Add(converter);
        }

        return options;
    }

    /// <summary>
    /// The error code of an error body, read by the provider's <paramref name="read"/> from the body's root: only a
    /// JSON object whose text is all valid Unicode is read; anything else has no code. Throws <see cref="JsonException"/>
    /// for a body that is not JSON (the caller treats that as no code).
    /// </summary>
    public static string? ReadErrorCode(string rawBody, Func<JsonElement, string?> read)
    {
        using var doc = JsonDocument.Parse(rawBody);
        var root = doc.RootElement;
        return root.ValueKind == JsonValueKind.Object && JsonText.IsValid(root) ? read(root) : null;
    }

    /// <summary>A code as kept: at most 64 characters.</summary>
    public static string? Cut(string? code) => code is { Length: > 64 } ? code[..64] : code;
}
