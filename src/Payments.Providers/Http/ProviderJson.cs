using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Payments.Providers.Http;

/// <summary>Request and response bodies as JSON, with unparseable answers mapped like every other provider failure.</summary>
public sealed class ProviderJson(string provider, JsonSerializerOptions serializerOptions, IOptionsMonitor<ProviderHttpOptions> httpOptions)
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

    public Core.Providers.ProviderException Invalid(HttpResponseMessage response, string problem, string? raw, Exception? inner) =>
        ProviderErrors.InvalidResponse(provider, response.RequestMessage, response.StatusCode, problem, raw, httpOptions.Get(provider), inner);

    public Core.Providers.ProviderException Invalid(HttpStatusCode status, string problem, string? raw, Exception? inner = null) =>
        ProviderErrors.InvalidResponse(provider, null, status, problem, raw, httpOptions.Get(provider), inner);
}
