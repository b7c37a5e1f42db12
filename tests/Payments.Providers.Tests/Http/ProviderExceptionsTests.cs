using Payments.Providers.Http;
using Payments.Providers.NeuroPay;
using Payments.Providers.Tests.NeuroPay;

namespace Payments.Providers.Tests.Http;

/// <summary>Every provider's failure keeps what the failure says, "not sent" included: a charge that never left is queued again, not marked unknown.</summary>
public sealed class ProviderExceptionsTests
{
    public static TheoryData<string> Providers => ["next", "twisto", "mangopay", "neuropay"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_provider_exception_keeps_not_sent(string provider)
    {
        foreach (var notSent in new[] { true, false })
        {
            var info = new ProviderFailureInfo(provider, ProviderFailure.Unavailable, "down", 429, "code", "raw", null, notSent);
            var ex = new ProviderException(info);
            var named = new ProviderException(provider, ProviderFailure.Unavailable, "down", 429, "code", "raw", notSent: notSent);

            Assert.Equal((notSent, ProviderFailure.Unavailable, 429, "code"), (ex.NotSent, ex.Failure, ex.StatusCode, ex.ProviderCode));
            Assert.Equal((notSent, ProviderFailure.Unavailable, 429, "code"), (named.NotSent, named.Failure, named.StatusCode, named.ProviderCode));
            Assert.True(ex.IsFrom(provider));
        }
    }

    [Fact]
    public async Task A_neuro_pay_call_still_throttled_after_the_retries_is_not_sent()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.TooManyRequests, """{"error":"rate_limited"}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().CaptureAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId), CancellationToken.None));

        Assert.True(ex.NotSent);
    }

    [Fact]
    public void Provider_exception_is_the_one_type_for_provider_failures()
    {
        var derived = new[] { typeof(ProviderErrors).Assembly, typeof(ProviderException).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t != typeof(ProviderException) && typeof(ProviderException).IsAssignableFrom(t));

        Assert.Empty(derived);
        Assert.True(typeof(ProviderException).IsSealed);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_provider_s_registered_client_fails_with_its_name_and_not_sent(string provider)
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.TooManyRequests);
        using var services = provider switch
        {
            "next" => Next.NextTestKit.Services(handler),
            "twisto" => Twisto.TwistoTestKit.Services(handler),
            "mangopay" => Mangopay.MangopayTestKit.Services(handler),
            _ => NeuroPayTestKit.Services(handler),
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "probe");

        var ex = await ProviderAssert.ThrowsAsync(provider, () =>
            services.GetRequiredService<IHttpClientFactory>().CreateClient(provider).SendAsync(request));

        Assert.True(ex.NotSent);
        Assert.Equal(429, ex.StatusCode);
    }
}
