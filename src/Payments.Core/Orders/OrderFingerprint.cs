using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Payments.Core.Orders;

/// <summary>
/// A stable hash of a validated create request, so "the same key with the same body" means the same
/// request after parsing, not the same bytes (white space and property order do not matter).
/// </summary>
public static class OrderFingerprint
{
    public static string Of(OrderDraft draft)
    {
        var canonical = new
        {
            draft.Provider,
            draft.MerchantReference,
            Amount = draft.Amount.Minor,
            Currency = draft.Amount.Currency.Code,
            draft.Items,
            draft.Customer,
            draft.SuccessUrl,
            draft.FailureUrl,
            draft.Subscription,
            ProviderOptions = draft.ProviderOptions.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray(),
            Metadata = draft.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray(),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(canonical);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
