using Payments.Providers.Tests.Next;
using Payments.Sandbox.Next;

namespace Payments.Providers.Tests.Sandbox;

/// <summary>
/// The simulators keep their state in memory, but the app's provider-reference lookups are durable: a restarted app (not
/// Azurite) must never be handed a reference it linked to an older order already.
/// </summary>
public sealed class SandboxReferenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Pays <paramref name="count"/> NEXT orders with a subscription line; returns every number and id the sandbox gave out.</summary>
    private static (List<string> Numbers, List<long> Ids) PayOrders(NextSandboxState state, int count)
    {
        var numbers = new List<string>();
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var request = new JsonObject { ["metadata"] = new JsonObject { ["payments_order_id"] = $"ord_{i}" } };
            var lines = new List<SandboxLine>
            {
                new(101, 2, 2495, null),
                new(102, 1, 990, new JsonObject { ["interval"] = "month", ["interval_count"] = 1 }),
            };
            var session = state.OpenSession(request, lines, 0, "CHF", "https://app.example/return");
            var order = JsonNode.Parse(state.CreateOrder(session, "paid").ToJson())!.AsObject();
            numbers.Add(order["number"]!.GetValue<string>());
            ids.AddRange(order["lines"]!.AsArray().Select(l => l!["id"]!.GetValue<long>()));
            ids.AddRange(order["transactions"]!.AsArray().Select(t => t!["id"]!.GetValue<long>()));
            ids.AddRange(order["subscriptions"]!.AsArray().Select(s => s!["id"]!.GetValue<long>()));
        }

        return (numbers, ids);
    }

    [Fact]
    public void NEXT_order_numbers_and_ids_do_not_repeat_across_two_sandbox_states_even_on_the_same_clock()
    {
        // Two states, one after the other, on a clock that reads the same: what a restarted app's sandbox is.
        var clock = new FixedClock(Now);
        var (firstNumbers, firstIds) = PayOrders(new NextSandboxState(clock), 3);
        var (secondNumbers, secondIds) = PayOrders(new NextSandboxState(clock), 3);

        Assert.Empty(firstNumbers.Intersect(secondNumbers));
        Assert.Empty(firstIds.Intersect(secondIds));
        Assert.Equal(6, firstNumbers.Concat(secondNumbers).Distinct().Count());
        Assert.Equal(firstIds.Count + secondIds.Count, firstIds.Concat(secondIds).Distinct().Count());

        // Still NEXT-shaped: numeric order numbers, positive integer ids, and later ones larger.
        Assert.All(firstNumbers.Concat(secondNumbers), n => Assert.Matches("^[1-9][0-9]{5,15}$", n));
        Assert.All(firstIds.Concat(secondIds), id => Assert.True(id > 0));
        Assert.True(long.Parse(secondNumbers[0], System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(firstNumbers[^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NEXT_order_numbers_start_above_what_the_wall_clock_says_so_a_new_process_does_not_reuse_them()
    {
        // A new process has a fresh sequence: it is seeded from the wall clock (microseconds), not from a constant.
        var before = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        var (numbers, _) = PayOrders(new NextSandboxState(new FixedClock(Now)), 1);

        Assert.True(long.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture) >= before);
    }
}
