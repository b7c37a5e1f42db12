using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Payments.Messaging.Webhooks;

/// <summary>
/// Signing per the Standard Webhooks specification: the signed content is <c>{webhook-id}.{webhook-timestamp}.{body}</c>
/// (timestamp in Unix seconds, body as sent), the signature <c>v1,</c> + base64(HMAC-SHA256(key, content)), and the
/// <c>webhook-signature</c> header a space-separated list of such signatures (one per secret, for key rotation).
/// </summary>
public static class StandardWebhooks
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SignatureVersion = "v1";

    /// <summary>One signature, <c>v1,&lt;base64&gt;</c>.</summary>
    public static string Sign(WebhookSecret secret, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return SignatureVersion + "," + Convert.ToBase64String(Mac(secret, webhookId, timestamp, body));
    }

    public static string Sign(WebhookSecret secret, string webhookId, long timestamp, string body) =>
        Sign(secret, webhookId, timestamp, Encoding.UTF8.GetBytes(body));

    /// <summary>The <c>webhook-signature</c> header value: the signatures of every secret, space-separated.</summary>
    public static string SignatureHeaderValue(IEnumerable<WebhookSecret> secrets, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var signatures = new List<string>();
        foreach (var secret in secrets)
        {
            signatures.Add(Sign(secret, webhookId, timestamp, body));
        }

        if (signatures.Count == 0)
        {
            throw new ArgumentException("At least one secret is needed to sign.", nameof(secrets));
        }

        return string.Join(' ', signatures);
    }

    internal static byte[] Mac(WebhookSecret secret, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookId);
        if (webhookId.Contains('.', StringComparison.Ordinal))
        {
            // The spec: ids must not contain '.', or the signed content becomes ambiguous.
            throw new ArgumentException("A webhook id must not contain '.'.", nameof(webhookId));
        }

        var prefix = Encoding.UTF8.GetBytes(webhookId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(secret.Key, content);
    }
}
