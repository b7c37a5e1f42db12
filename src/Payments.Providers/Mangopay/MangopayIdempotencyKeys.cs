using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Payments.Providers.Mangopay;

/// <summary>
/// The <c>Idempotency-Key</c>s sent to Mangopay: derived from our own ids, so that every attempt at the same logical
/// write (a retry by the resilience pipeline, a create taken over after a crash, a refund asked for again with the
/// same refund id) carries the same key and Mangopay acts once. Mangopay wants 16-36 letters, digits or dashes
/// (a UUID recommended); our ids contain '_' and refund ids are not ours to shape, so the key is a UUID-shaped
/// SHA-256 of a purpose and the id(s).
/// </summary>
public static partial class MangopayIdempotencyKeys
{
    /// <summary>The key of the TWINT pay-in of order <paramref name="orderId"/>.</summary>
    public static string PayIn(string orderId) => Derive($"mangopay/payin/v1:{orderId}");

    /// <summary>The key of refund <paramref name="refundId"/> of order <paramref name="orderId"/>.</summary>
    public static string Refund(string orderId, string refundId) => Derive($"mangopay/refund/v1:{orderId}:{refundId}");

    /// <summary>Mangopay's rule: "Min. length 16; max. length 36; only alphanumeric and dashes".</summary>
    public static bool IsValid(string? key) => key is not null && Key().IsMatch(key);

    private static string Derive(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    [GeneratedRegex("^[A-Za-z0-9-]{16,36}$", RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
