using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

public sealed class NextStatusMappingTests
{
    public static TheoryData<string, PaymentStatus?> Documented => new()
    {
        { "pending", null },
        { "authorized", PaymentStatus.Authorized },
        { "expiring", PaymentStatus.Authorized },
        { "expired", PaymentStatus.Expired },
        { "paid", PaymentStatus.Succeeded },
        { "voided", PaymentStatus.Cancelled },
        { "refunded", PaymentStatus.Refunded },
        { "partially_paid", null },
        { "partially_refunded", PaymentStatus.PartiallyRefunded },
        { "partially_voided", PaymentStatus.Authorized },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void Every_documented_payment_status_is_mapped(string paymentStatus, PaymentStatus? expected)
    {
        Assert.True(NextStatusMapping.TryMap(paymentStatus, out var status));
        Assert.Equal(expected, status);
    }

    [Fact]
    public void The_theory_covers_the_whole_enum()
    {
        Assert.Equal(NextStatusMapping.KnownStatuses.Order(), Documented.Select(row => (string)row[0]).Order());
    }

    [Theory]
    [InlineData("chargeback")]
    [InlineData("PAID")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_values_mean_no_change(string? paymentStatus)
    {
        Assert.False(NextStatusMapping.TryMap(paymentStatus, out var status));
        Assert.Null(status);
    }
}
