using Payments.Providers.NeuroPay;
using Payments.Providers.Next;
using Payments.Providers.Tests.NeuroPay;
using Payments.Providers.Tests.Next;
using Payments.Providers.Tests.Twisto;
using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Http;

/// <summary>
/// A create that NEXT, Twisto or Neuro-Pay may have received is never sent again: their creates take no idempotency
/// key, so a second one could open a second payment (Mangopay's keyed create is retried: see its client tests).
/// </summary>
public sealed class SessionCreateRetryTests
{
    public static TheoryData<string> Providers => [NextProvider.ProviderName, TwistoProvider.ProviderName, NeuroPayProvider.ProviderName];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Create_is_not_retried_after_a_timeout(string provider)
    {
        var handler = new CapturingHandler().Hang();
        var ex = await CreateAsync(provider, handler, attemptTimeout: "00:00:00.200");

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Timeout, ex.Failure);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Create_is_not_retried_after_a_network_error(string provider)
    {
        var handler = new CapturingHandler().FailWithNetworkError();
        var ex = await CreateAsync(provider, handler);

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    /// <summary>
    /// Creates the kit's order at <paramref name="provider"/> through <paramref name="handler"/>, which answers the
    /// provider's documented success after its scripted first answer (so a retry would succeed and be seen).
    /// </summary>
    private static async Task<ProviderException> CreateAsync(string provider, CapturingHandler handler, string? attemptTimeout = null)
    {
        var section = provider switch { "next" => "Next", "twisto" => "Twisto", _ => "NeuroPay" };
        Action<Dictionary<string, string?>>? tweak = attemptTimeout is null ? null : s => s[$"Providers:{section}:Http:AttemptTimeout"] = attemptTimeout;
        var (services, request) = provider switch
        {
            "next" => (NextTestKit.Services(handler.Otherwise(HttpStatusCode.Created, NextTestKit.Fixture("create-redirect.json")), tweak),
                NextTestKit.SessionRequest(NextTestKit.Order())),
            "twisto" => (TwistoTestKit.Services(handler.Otherwise(HttpStatusCode.Created, TwistoTestKit.CheckoutJson(state: "created")), tweak: tweak),
                TwistoTestKit.SessionRequest(TwistoTestKit.Order())),
            _ => (NeuroPayTestKit.Services(handler.Otherwise(HttpStatusCode.OK, NeuroPayTestKit.Checkout()), tweak),
                NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order())),
        };
        using (services)
        {
            return await ProviderAssert.ThrowsAsync(provider, () =>
                ProviderTestKit.Provider<IPaymentProvider>(services, provider).CreateSessionAsync(request, CancellationToken.None));
        }
    }
}
