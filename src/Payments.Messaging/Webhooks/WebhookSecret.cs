using System.Security.Cryptography;

namespace Payments.Messaging.Webhooks;

/// <summary>
/// A Standard Webhooks signing secret: <c>whsec_</c> followed by the base64 of the key bytes (the prefix is optional
/// when reading, as in the reference libraries). <see cref="ToString"/> never shows the key.
/// </summary>
public sealed class WebhookSecret
{
    public const string Prefix = "whsec_";

    private readonly byte[] _key;

    private WebhookSecret(byte[] key) => _key = key;

    /// <summary>The HMAC key: the base64-decoded part of the secret.</summary>
    public ReadOnlySpan<byte> Key => _key;

    public static WebhookSecret Parse(string secret)
    {
        if (!TryParse(secret, out var parsed))
        {
            throw new FormatException("A webhook secret must be 'whsec_' followed by base64 (the key).");
        }

        return parsed;
    }

    public static bool TryParse(string? secret, out WebhookSecret parsed)
    {
        parsed = null!;
        var text = secret?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            text = text[Prefix.Length..];
        }

        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var length) || length == 0)
        {
            return false;
        }

        parsed = new WebhookSecret(buffer[..length]);
        return true;
    }

    /// <summary>A new random secret (32 bytes; the spec asks for 24 to 64).</summary>
    public static WebhookSecret Generate() => new(RandomNumberGenerator.GetBytes(32));

    public static WebhookSecret FromKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("A webhook key cannot be empty.", nameof(key));
        }

        return new WebhookSecret(key.ToArray());
    }

    /// <summary>The serialized form, <c>whsec_…</c>, for handing to the endpoint's owner. A secret: never log it.</summary>
    public string Serialize() => Prefix + Convert.ToBase64String(_key);

    public override string ToString() => Prefix + "***";
}
