using Payments.Core.Charges;
using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

/// <summary>
/// Recurring charges with the saved card, and what their failures tell the charge service: Neuro-Pay takes no
/// idempotency key, so a charge is queued again only when its request certainly never left (<see cref="ProviderException.NotSent"/>).
/// </summary>
public sealed class NeuroPayChargeTests
{
    private const string CardId = "c0ffee0000000000000000000000beef";
    private static readonly DateTimeOffset Now = new(2025, 7, 1, 10, 0, 0, TimeSpan.Zero);

    private static Order Subscribed() => NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId, options: new Dictionary<string, string>
    {
        [NeuroPayOrderMapping.CustomerIdOption] = NeuroPayTestKit.CustomerId,
        [NeuroPayOrderMapping.CardIdOption] = CardId,
    });

    private static ChargeRecord Renewal() => new(ChargeRules.NewChargeId(Now), ChargeKind.Recurring, 4990, [], ChargeStatus.Processing, Now, Now, Cycle: 2);

    /// <summary>Only failures count and they open the circuit fast; a read is what fails, so nothing is charged meanwhile.</summary>
    private static void TrippableCircuit(Dictionary<string, string?> s)
    {
        s["Providers:NeuroPay:Http:MaxRetryAttempts"] = "0";
        s["Providers:NeuroPay:Http:CircuitMinimumThroughput"] = "2";
        s["Providers:NeuroPay:Http:CircuitBreakDuration"] = "00:01:00";
    }

    [Fact]
    public async Task A_recurring_charge_pays_with_the_saved_card_at_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid", id: "ck_renewal"));
        using var services = NeuroPayTestKit.Services(handler);

        var result = await services.Provider().ChargeRecurringAsync(Subscribed(), Renewal(), CancellationToken.None);

        Assert.Equal((ChargeOutcome.Succeeded, "ck_renewal"), (result.Outcome, result.ProviderReference));
        var sent = handler.OnlyRequest();
        Assert.Equal("/checkout/create", sent.Uri.AbsolutePath);
        Assert.Equal((NeuroPayTestKit.CustomerId, CardId), (sent.Json().GetProperty("customer_id").GetString(), sent.Json().GetProperty("card_id").GetString()));
    }

    [Fact]
    public async Task An_open_circuit_during_a_recurring_charge_sends_nothing_and_says_not_sent()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.ServiceUnavailable);
        using var services = NeuroPayTestKit.Services(handler, TrippableCircuit);
        for (var i = 0; i < 2; i++)
        {
            await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));
        }

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().ChargeRecurringAsync(Subscribed(), Renewal(), CancellationToken.None));

        Assert.Equal(2, handler.Count);
        Assert.DoesNotContain(handler.Requests, r => r.Uri.AbsolutePath == "/checkout/create");
        Assert.Equal((ProviderFailure.Unavailable, true, (int?)null), (ex.Failure, ex.NotSent, ex.StatusCode));
        Assert.Contains("circuit is open", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recurring_charge_whose_connection_was_refused_says_not_sent()
    {
        var handler = new CapturingHandler().Respond((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (fake)")));
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().ChargeRecurringAsync(Subscribed(), Renewal(), CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal((ProviderFailure.Unavailable, true), (ex.Failure, ex.NotSent));
    }

    [Fact]
    public async Task A_recurring_charge_that_may_have_reached_neuro_pay_is_sent_once_and_not_marked_not_sent()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.ServiceUnavailable);
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().ChargeRecurringAsync(Subscribed(), Renewal(), CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal((ProviderFailure.Unavailable, false), (ex.Failure, ex.NotSent));
    }
}
