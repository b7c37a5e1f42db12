using Payments.Providers.NeuroPay;
using Payments.Providers.Next;
using Payments.Providers.Tests.NeuroPay;
using Payments.Providers.Tests.Next;
using Payments.Providers.Tests.Twisto;
using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Http;

/// <summary>
/// A create that NEXT, Twisto (v4 or v2) or Neuro-Pay may have received is never sent again: their creates take no
/// idempotency key, so a second one could open a second payment (Mangopay's keyed create is retried: see its client
/// tests; a 429, refused before anything was done, is retried: see each client's tests).
/// </summary>
public sealed class SessionCreateRetryTests
{
    /// <summary>Each create that is sent once: the provider, and the Twisto API version where it has two.</summary>
    public static TheoryData<string, string?> Creates => new()
    {
        { NextProvider.ProviderName, null },
        { TwistoProvider.ProviderName, "v4" },
        { TwistoProvider.ProviderName, "v2" },
        { NeuroPayProvider.ProviderName, null },
    };

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task Create_is_not_retried_after_a_timeout(string provider, string? version)
    {
        var handler = new CapturingHandler().Hang();
        var ex = await CreateAsync(provider, version, handler, attemptTimeout: "00:00:00.200");

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Timeout, ex.Failure);
    }

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task Create_is_not_retried_after_a_network_error(string provider, string? version)
    {
        var handler = new CapturingHandler().FailWithNetworkError();
        var ex = await CreateAsync(provider, version, handler);

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task Create_is_not_retried_on_503(string provider, string? version)
    {
        var unavailable = provider == NeuroPayProvider.ProviderName ? """{"error":"unavailable"}""" : """{"detail":"Service temporarily unavailable."}""";
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable, unavailable);
        var ex = await CreateAsync(provider, version, handler);

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal(503, ex.StatusCode);
    }

    /// <summary>
    /// Creates the kit's order at <paramref name="provider"/> through <paramref name="handler"/>, which answers the
    /// provider's documented success after its scripted first answer (so a retry would succeed and be seen).
    /// </summary>
    private static async Task<ProviderException> CreateAsync(string provider, string? version, CapturingHandler handler, string? attemptTimeout = null)
    {
        var section = provider switch { "next" => "Next", "twisto" => "Twisto", _ => "NeuroPay" };
        Action<Dictionary<string, string?>>? tweak = attemptTimeout is null ? null : s => s[$"Providers:{section}:Http:AttemptTimeout"] = attemptTimeout;
        var (services, request) = provider switch
        {
            "next" => (NextTestKit.Services(handler.Otherwise(HttpStatusCode.Created, NextTestKit.Fixture("create-redirect.json")), tweak),
                NextTestKit.SessionRequest(NextTestKit.Order())),
            "twisto" => (TwistoTestKit.Services(
                    handler.Otherwise(HttpStatusCode.Created, version == "v2" ? TwistoTestKit.OrderJson() : TwistoTestKit.CheckoutJson(state: "created")),
                    version!, tweak),
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
