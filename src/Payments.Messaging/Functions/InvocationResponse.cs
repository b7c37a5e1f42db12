using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Payments.Messaging.Functions;

/// <summary>
/// The answer to the Functions host: always <c>application/json</c> with
/// <c>{"Outputs":{…},"Logs":[…],"ReturnValue":…}</c>, never an empty body (an empty 2xx body leaves the invocation
/// hanging until the function timeout). A non-2xx status fails the invocation: the host abandons the message, Service
/// Bus redelivers it and dead-letters it after MaxDeliveryCount.
/// </summary>
public static class InvocationResponse
{
    public const string ContentType = "application/json";

    /// <summary>The JSON body. Outputs values are serialized as given (the host base64-decodes strings bound to non-binary outputs: avoid).</summary>
    public static byte[] Body(IEnumerable<string>? logs = null, object? returnValue = null, IReadOnlyDictionary<string, object?>? outputs = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Outputs");
            foreach (var (name, value) in outputs ?? new Dictionary<string, object?>())
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value, JsonDefaults.Web);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("Logs");
            foreach (var line in logs ?? [])
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("ReturnValue");
            JsonSerializer.Serialize(writer, returnValue, JsonDefaults.Web);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>An <see cref="IResult"/> with the status and the JSON body.</summary>
    public static IResult Result(int statusCode, IEnumerable<string>? logs = null, object? returnValue = null) =>
        new StatusBytesResult(statusCode, Body(logs, returnValue));

    /// <summary>Writes the status and the JSON body to the response.</summary>
    public static async Task WriteAsync(HttpResponse response, int statusCode, IEnumerable<string>? logs = null, object? returnValue = null)
    {
        var body = Body(logs, returnValue);
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted);
    }

    private sealed class StatusBytesResult(int statusCode, byte[] body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = ContentType;
            httpContext.Response.ContentLength = body.Length;
            await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
