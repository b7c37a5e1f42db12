using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Payments.Messaging.Webhooks;

/// <summary>Why a webhook was or was not accepted.</summary>
public enum WebhookVerification
{
    Valid,

    /// <summary>webhook-id, webhook-timestamp or webhook-signature is missing or empty.</summary>
    MissingHeaders,

    /// <summary>webhook-timestamp is not an integer number of seconds.</summary>
    InvalidTimestamp,

    /// <summary>The timestamp is further from now than the tolerance (a replay, or a wrong clock).</summary>
    TimestampOutOfTolerance,

    /// <summary>No v1 signature in the header matches the body under any of the secrets.</summary>
    NoMatchingSignature,
}

/// <summary>
/// Verifies Standard Webhooks signatures (the receiving side; used in tests and by anyone checking our deliveries):
/// any <c>v1</c> entry of the space-separated header may match, under any of the given secrets (rotation); comparisons
/// are constant-time; timestamps further than <see cref="Tolerance"/> from the clock (default 5 minutes) are rejected.
/// </summary>
public sealed class WebhookVerifier(TimeProvider? clock = null, TimeSpan? tolerance = null)
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public TimeSpan Tolerance { get; } = tolerance ?? DefaultTolerance;

    public WebhookVerification Verify(WebhookSecret secret, string? webhookId, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body) =>
        Verify([secret], webhookId, timestamp, signatureHeader, body);

    public WebhookVerification Verify(WebhookSecret secret, string? webhookId, string? timestamp, string? signatureHeader, string body) =>
        Verify([secret], webhookId, timestamp, signatureHeader, Encoding.UTF8.GetBytes(body));

    public WebhookVerification Verify(IReadOnlyCollection<WebhookSecret> secrets, string? webhookId, string? timestamp, string? signatureHeader,
        ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrWhiteSpace(signatureHeader))
        {
            return WebhookVerification.MissingHeaders;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookVerification.InvalidTimestamp;
        }

        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var tolerance = (long)Tolerance.TotalSeconds;
        if (now - seconds > tolerance || seconds - now > tolerance)
        {
            return WebhookVerification.TimestampOutOfTolerance;
        }

        if (webhookId.Contains('.', StringComparison.Ordinal))
        {
            return WebhookVerification.NoMatchingSignature;
        }

        var expected = new List<byte[]>(secrets.Count);
        foreach (var secret in secrets)
        {
            expected.Add(StandardWebhooks.Mac(secret, webhookId, seconds, body));
        }

        var candidate = new byte[64];
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0 || !entry.AsSpan(0, comma).SequenceEqual(StandardWebhooks.SignatureVersion))
            {
                continue;
            }

            if (!Convert.TryFromBase64String(entry[(comma + 1)..], candidate, out var length))
            {
                continue;
            }

            foreach (var mac in expected)
            {
                if (CryptographicOperations.FixedTimeEquals(mac, candidate.AsSpan(0, length)))
                {
                    return WebhookVerification.Valid;
                }
            }
        }

        return WebhookVerification.NoMatchingSignature;
    }
}
