using System.Security.Cryptography;

namespace Payments.Host.Tests;

/// <summary>
/// NEXT's webhooks as NEXT sends them: the settings that give the app the test secret, the event envelope, and the request
/// signed with <c>X-29Next-Signature</c> (HMAC-SHA256 of the body, lower-case hex).
/// </summary>
public static class NextWebhooks
{
    public const string Secret = "test-next-webhook-secret";

    /// <summary>The app's settings for NEXT webhooks signed with <see cref="Secret"/>.</summary>
    public static Dictionary<string, string?> Settings() => new() { ["Providers:Next:WebhookSecret"] = Secret };

    /// <summary><c>POST /api/webhooks/next</c> with <paramref name="body"/>, signed with <paramref name="secret"/> (unsigned when null).</summary>
    public static HttpRequestMessage Request(string body, string? secret = Secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/next") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add("X-29Next-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
        }

        return request;
    }

    /// <summary>An event envelope (<c>order.created</c>, <c>transaction.created</c>, …) around <paramref name="data"/>.</summary>
    public static JsonObject Event(string eventType, string eventId, JsonObject data) => new()
    {
        ["api_version"] = "2024-04-01",
        ["object"] = eventType.Split('.')[0],
        ["event_id"] = eventId,
        ["event_type"] = eventType,
        ["data"] = data,
        ["webhook"] = new JsonObject { ["id"] = 1 },
    };

    /// <summary>The <c>order.created</c> event for a NEXT order (a copy of it), as the body NEXT sends.</summary>
    public static string OrderCreated(JsonObject order, string eventId = "evt-1") =>
        Event("order.created", eventId, order.DeepClone().AsObject()).ToJsonString();
}
