using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Payments.Messaging.Tests.Support;

namespace Payments.Messaging.Tests.ServiceBus;

/// <summary>One request as the fake namespace saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A local stand-in for a Service Bus namespace's REST endpoint that checks what the documentation asks of a send:
/// POST to /{entity}/messages, a valid SAS token (signature recomputed here from the key) or the expected bearer
/// token, BrokerProperties as JSON, and for batches the exact content type and a JSON array body. It answers 401/400
/// on violations (recorded in <see cref="Violations"/>), else the scripted status for the attempt, else 201.
/// </summary>
public sealed class FakeServiceBus : IAsyncDisposable
{
    public const string KeyName = "RootManageSharedAccessKey";
    public const string Key = "Zm9vYmFyLXNlY3JldC1rZXktZm9yLXRlc3RzLW9ubHk=";

    private LocalServer? _server;
    private int _requests;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Attempt number (1-based) → what to answer instead of 201: a status, or a status with a delay and a body.</summary>
    public Func<int, (int Status, TimeSpan Delay, string? Body)?> Script { get; set; } = _ => null;

    /// <summary>When set, requests must carry this bearer token instead of a SAS token.</summary>
    public string? ExpectedBearer { get; set; }

    public Uri Endpoint => _server!.BaseAddress;

    public string ConnectionString => $"Endpoint={Endpoint};SharedAccessKeyName={KeyName};SharedAccessKey={Key}";

    public static async Task<FakeServiceBus> StartAsync()
    {
        var fake = new FakeServiceBus();
        fake._server = await LocalServer.StartAsync(app => app.MapPost("/{**path}", fake.HandleAsync));
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var attempt = Interlocked.Increment(ref _requests);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value!, headers, context.Request.ContentType, buffer.ToArray());
        Requests.Enqueue(request);

        if (!request.Path.EndsWith("/messages", StringComparison.Ordinal))
        {
            await Fail(context, 404, $"path {request.Path} is not /{{entity}}/messages");
            return;
        }

        var entityUri = $"{Endpoint.GetLeftPart(UriPartial.Authority)}{request.Path[..^"/messages".Length]}";
        if (CheckAuthorization(request.Header("Authorization"), entityUri) is { } authError)
        {
            await Fail(context, 401, authError);
            return;
        }

        if (CheckBody(request) is { } bodyError)
        {
            await Fail(context, 400, bodyError);
            return;
        }

        if (Script(attempt) is { } scripted)
        {
            if (scripted.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(scripted.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            context.Response.StatusCode = scripted.Status;
            if (scripted.Body is { } body)
            {
                await context.Response.WriteAsync(body);
            }

            return;
        }

        context.Response.StatusCode = (int)HttpStatusCode.Created;
    }

    private async Task Fail(HttpContext context, int status, string violation)
    {
        Violations.Enqueue(violation);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync($"<Error><Code>{status}</Code><Detail>{WebUtility.HtmlEncode(violation)}</Detail></Error>");
    }

    private string? CheckAuthorization(string? authorization, string entityUri)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return "no Authorization header";
        }

        if (ExpectedBearer is { } bearer)
        {
            return authorization == "Bearer " + bearer ? null : "wrong bearer token";
        }

        const string prefix = "SharedAccessSignature ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return "not a SharedAccessSignature";
        }

        var parts = authorization[prefix.Length..].Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("sr", out var sr) || !parts.TryGetValue("sig", out var sig) || !parts.TryGetValue("se", out var se)
            || !parts.TryGetValue("skn", out var skn))
        {
            return "sr, sig, se or skn missing";
        }

        if (!string.Equals(Uri.UnescapeDataString(sr), entityUri.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return $"sr {Uri.UnescapeDataString(sr)} is not the entity {entityUri.ToLowerInvariant()}";
        }

        if (skn != KeyName)
        {
            return "unknown key name";
        }

        if (!long.TryParse(se, out var expiry) || expiry <= DateTimeOffset.UtcNow.ToUnixTimeSeconds())
        {
            return "expired or bad se";
        }

        // The documented algorithm, written out here: HMAC-SHA256 over (sr as sent + "\n" + se), keyed by the UTF-8 key.
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Key));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(sr + "\n" + se)));
        return expected == Uri.UnescapeDataString(sig) ? null : "signature mismatch";
    }

    private static string? CheckBody(RecordedRequest request)
    {
        if (request.ContentType == "application/vnd.microsoft.servicebus.json")
        {
            try
            {
                using var batch = JsonDocument.Parse(request.Body);
                if (batch.RootElement.ValueKind != JsonValueKind.Array)
                {
                    return "a batch body must be a JSON array";
                }

                foreach (var message in batch.RootElement.EnumerateArray())
                {
                    if (!message.TryGetProperty("Body", out var body) || body.ValueKind != JsonValueKind.String)
                    {
                        return "each batch message needs a string Body";
                    }
                }
            }
            catch (JsonException)
            {
                return "the batch body is not JSON";
            }

            return null;
        }

        if (request.ContentType?.StartsWith("application/vnd.microsoft.servicebus.json", StringComparison.Ordinal) == true)
        {
            return "the batch content type must not have parameters";
        }

        if (request.Header("BrokerProperties") is { } brokerProperties)
        {
            try
            {
                using var json = JsonDocument.Parse(brokerProperties);
                if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return "BrokerProperties must be a JSON object";
                }
            }
            catch (JsonException)
            {
                return "BrokerProperties is not JSON";
            }
        }

        return null;
    }
}
