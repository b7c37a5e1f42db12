using System.Buffers;
using System.Text.Json;

namespace Payments.Host.Api;

/// <summary>Reads request bodies with a hard size limit, whatever the Content-Length claims.</summary>
public static class RequestBody
{
    /// <summary>The limit for merchant API bodies.</summary>
    public const int MaxApiBodyBytes = 64 * 1024;

    /// <summary>The limit for provider returns and notifications (an order JSON can be larger than an API call).</summary>
    public const int MaxCallbackBodyBytes = 256 * 1024;

    /// <summary>The body, or null when it exceeds <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit, (int?)request.ContentLength ?? 4096) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    public static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.Contains("+json", StringComparison.OrdinalIgnoreCase)));

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
