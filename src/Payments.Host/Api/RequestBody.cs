using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Payments.Host.Api;

/// <summary>Reads request bodies with a hard size limit, whatever the Content-Length claims.</summary>
public static class RequestBody
{
    /// <summary>The limit for merchant API bodies.</summary>
    public const int MaxApiBodyBytes = 64 * 1024;

    /// <summary>The limit for provider returns and notifications (an order JSON can be larger than an API call).</summary>
    public const int MaxCallbackBodyBytes = 256 * 1024;

    /// <summary>
    /// The body, or the problem when it cannot be had: 413 when it exceeds <paramref name="limit"/> bytes, 400 when
    /// it cannot be read (broken chunked framing, a body shorter than its Content-Length).
    /// </summary>
    public static async Task<(byte[]? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, Problems.BodyTooLarge(limit));
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit, (int?)request.ContentLength ?? 4096) + 1);
        try
        {
            while (true)
            {
                // Whatever room is left (a buffer sized to the Content-Length plus one byte is read without growing it; the
                // spare byte shows the end, or a body longer than it claimed); grows only when that room is used up.
                var memory = buffer.GetMemory();
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return (buffer.WrittenSpan.ToArray(), null);
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return (null, Problems.BodyTooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own verdict on the framing (413 for its size limit, else 400). Its message names no content.
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? Problems.BodyTooLarge(limit) : Unreadable());
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // e.g. "Bad chunk size data" for a chunk size that overflows: the body cannot be read, which is the client's fault.
            return (null, Unreadable());
        }
    }

    /// <summary>
    /// Whether the request's Content-Type is <c>application/json</c> or <c>application/*+json</c>, parameters allowed
    /// (a charset only if UTF-8). Not a prefix test: <c>application/jsonx</c>, <c>application/json-seq</c> are not JSON.
    /// </summary>
    public static bool IsJson(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) || !parsed.MediaType.HasValue)
        {
            return false;
        }

        // JSON is UTF-8 (RFC 8259 §8.1); a body declared in another charset is not read as JSON.
        if (parsed.Charset is { HasValue: true } declared && HeaderUtilities.RemoveQuotes(declared) is var charset
            && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = parsed.MediaType.Value!;
        if (string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) || !type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // application/<name>+json, with a name before the suffix.
        return type.Length > "application/".Length + "+json".Length;
    }

    /// <summary>The same problem as a request Kestrel itself refuses (see <c>PaymentsApp</c>).</summary>
    private static ProblemHttpResult Unreadable() =>
        Problems.Problem(StatusCodes.Status400BadRequest, "bad-request", "The request could not be read.",
            "The body's framing is broken (chunked encoding, or fewer bytes than Content-Length).");

    /// <summary>
    /// Strict JSON for requests: camelCase names, no unknown members, no duplicate properties, no comments
    /// or trailing commas, no numbers in strings.
    /// </summary>
    public static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        MaxDepth = 16,
        RespectNullableAnnotations = true,
    };

    /// <summary>Deserialises a body strictly; returns a message naming the JSON path on failure.</summary>
    public static (T? Value, string? Error) Deserialize<T>(byte[] body)
        where T : class
    {
        if (body.Length == 0)
        {
            return (null, "The body is empty.");
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, StrictJson);
            return value is null ? (null, "The body must be a JSON object.") : (value, null);
        }
        catch (JsonException ex)
        {
            // JsonException messages name the path and position, and never echo the input.
            var path = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
            return (null, $"Invalid JSON at {path}: {FirstSentence(ex.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
