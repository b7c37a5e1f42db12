using System.Text.Json.Serialization;

namespace Payments.Core.Orders;

/// <summary>The one status vocabulary for every provider (README: Order statuses).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("authorized")] Authorized,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("refunded")] Refunded,
    [JsonStringEnumMemberName("partially_refunded")] PartiallyRefunded,
}

public static class PaymentStatusNames
{
    /// <summary>The wire name: "partially_refunded".</summary>
    public static string ToWire(this PaymentStatus status) => status switch
    {
        PaymentStatus.Pending => "pending",
        PaymentStatus.Authorized => "authorized",
        PaymentStatus.Succeeded => "succeeded",
        PaymentStatus.Failed => "failed",
        PaymentStatus.Cancelled => "cancelled",
        PaymentStatus.Expired => "expired",
        PaymentStatus.Refunded => "refunded",
        PaymentStatus.PartiallyRefunded => "partially_refunded",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryFromWire(string? wire, out PaymentStatus status)
    {
        foreach (var s in Enum.GetValues<PaymentStatus>())
        {
            if (string.Equals(s.ToWire(), wire, StringComparison.Ordinal))
            {
                status = s;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>A terminal status is never left again.</summary>
    public static bool IsTerminal(this PaymentStatus status) =>
        status is PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired or PaymentStatus.Refunded;

    /// <summary>Whether the shopper should land on the storefront's success page for this status.</summary>
    public static bool IsSuccessful(this PaymentStatus status) =>
        status is PaymentStatus.Authorized or PaymentStatus.Succeeded or PaymentStatus.PartiallyRefunded
            or PaymentStatus.Refunded;
}
