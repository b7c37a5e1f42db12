using Payments.Providers.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

public sealed class MangopayStatusMappingTests
{
    [Theory]
    [InlineData("CREATED", null)]
    [InlineData("SUCCEEDED", PaymentStatus.Succeeded)]
    [InlineData("FAILED", PaymentStatus.Failed)]
    public void Every_documented_payin_status_maps(string status, PaymentStatus? expected)
    {
        Assert.True(MangopayStatusMapping.TryMapPayIn(status, out var mapped));
        Assert.Equal(expected, mapped);
    }

    [Fact]
    public void The_theory_covers_every_known_status()
    {
        Assert.Equal(["CREATED", "SUCCEEDED", "FAILED"], MangopayStatusMapping.KnownStatuses);
        Assert.All(MangopayStatusMapping.KnownStatuses, s => Assert.True(MangopayStatusMapping.TryMapPayIn(s, out _)));
        Assert.All(MangopayStatusMapping.KnownStatuses, s => Assert.True(MangopayStatusMapping.TryMapRefund(s, out _)));
    }

    [Theory]
    [InlineData("REFUNDED")]
    [InlineData("succeeded")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_payin_status_is_no_change(string? status)
    {
        Assert.False(MangopayStatusMapping.TryMapPayIn(status, out var mapped));
        Assert.Null(mapped);
    }

    [Theory]
    [InlineData("CREATED", RefundOutcome.Pending)]
    [InlineData("SUCCEEDED", RefundOutcome.Succeeded)]
    [InlineData("FAILED", RefundOutcome.Failed)]
    public void Every_documented_refund_status_maps(string status, RefundOutcome expected)
    {
        Assert.True(MangopayStatusMapping.TryMapRefund(status, out var outcome));
        Assert.Equal(expected, outcome);
    }

    [Theory]
    [InlineData("PENDING_REVIEW")]
    [InlineData(null)]
    public void An_unknown_refund_status_is_pending(string? status)
    {
        Assert.False(MangopayStatusMapping.TryMapRefund(status, out var outcome));
        Assert.Equal(RefundOutcome.Pending, outcome);
    }
}
