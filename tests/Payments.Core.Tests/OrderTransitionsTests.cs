namespace Payments.Core.Tests;

public class OrderTransitionsTests
{
    private static readonly PaymentStatus[] All = Enum.GetValues<PaymentStatus>();

    // The whole table, written out: every pair not listed as Apply must be Ignored (or AlreadyApplied on the diagonal).
    private static readonly HashSet<(PaymentStatus, PaymentStatus)> Allowed =
    [
        (PaymentStatus.Pending, PaymentStatus.Authorized),
        (PaymentStatus.Pending, PaymentStatus.Succeeded),
        (PaymentStatus.Pending, PaymentStatus.Failed),
        (PaymentStatus.Pending, PaymentStatus.Cancelled),
        (PaymentStatus.Pending, PaymentStatus.Expired),
        (PaymentStatus.Authorized, PaymentStatus.Succeeded),
        (PaymentStatus.Authorized, PaymentStatus.Failed),
        (PaymentStatus.Authorized, PaymentStatus.Cancelled),
        (PaymentStatus.Authorized, PaymentStatus.Expired),
        (PaymentStatus.Succeeded, PaymentStatus.PartiallyRefunded),
        (PaymentStatus.Succeeded, PaymentStatus.Refunded),
        (PaymentStatus.PartiallyRefunded, PaymentStatus.Refunded),
    ];

    public static TheoryData<PaymentStatus, PaymentStatus> Pairs()
    {
        var data = new TheoryData<PaymentStatus, PaymentStatus>();
        foreach (var from in All)
        {
            foreach (var to in All)
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_pair_of_statuses_has_the_decided_outcome(PaymentStatus from, PaymentStatus to)
    {
        var expected = from == to ? TransitionOutcome.AlreadyApplied
            : Allowed.Contains((from, to)) ? TransitionOutcome.Apply
            : TransitionOutcome.Ignored;
        Assert.Equal(expected, OrderTransitions.Decide(from, to));
    }

    [Theory]
    [InlineData(PaymentStatus.Failed)]
    [InlineData(PaymentStatus.Cancelled)]
    [InlineData(PaymentStatus.Expired)]
    [InlineData(PaymentStatus.Refunded)]
    public void Terminal_statuses_are_never_left(PaymentStatus terminal)
    {
        Assert.True(terminal.IsTerminal());
        Assert.All(All.Where(s => s != terminal), s => Assert.Equal(TransitionOutcome.Ignored, OrderTransitions.Decide(terminal, s)));
    }

    [Fact]
    public void Wire_names_round_trip()
    {
        foreach (var s in All)
        {
            Assert.True(PaymentStatusNames.TryFromWire(s.ToWire(), out var back));
            Assert.Equal(s, back);
        }

        Assert.Equal("partially_refunded", PaymentStatus.PartiallyRefunded.ToWire());
    }
}
