using System.Reflection;
using Microsoft.Extensions.Options;
using Payments.Providers.Http;
using Payments.Providers.Mangopay;
using Payments.Providers.NeuroPay;
using Payments.Providers.Next;
using Payments.Providers.Tests.NeuroPay;
using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Http;

/// <summary>Every provider's exception keeps what the failure says, "not sent" included: a charge that never left is queued again, not marked unknown.</summary>
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
            ProviderException ex = provider switch
            {
                "next" => new NextException(info),
                "twisto" => new TwistoException(info),
                "mangopay" => new MangopayException(info),
                _ => new NeuroPayException(info),
            };

            Assert.Equal((notSent, ProviderFailure.Unavailable, 429, "code"), (ex.NotSent, ex.Failure, ex.StatusCode, ex.ProviderCode));
        }
    }

    [Fact]
    public async Task A_neuro_pay_call_still_throttled_after_the_retries_is_not_sent()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.TooManyRequests, """{"error":"rate_limited"}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<NeuroPayException>(() =>
            services.Provider().CaptureAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId), CancellationToken.None));

        Assert.True(ex.NotSent);
    }

    [Fact]
    public void Every_provider_exception_is_a_marker_over_the_one_constructor()
    {
        var types = typeof(ProviderFailureException).Assembly.GetTypes()
            .Where(t => typeof(ProviderException).IsAssignableFrom(t) && t != typeof(ProviderFailureException)).ToList();

        Assert.Equal(["MangopayException", "NeuroPayException", "NextException", "TwistoException"], types.Select(t => t.Name).Order());
        foreach (var type in types)
        {
            Assert.True(type.IsSealed, type.Name);
            Assert.Equal(typeof(ProviderFailureException), type.BaseType);
            Assert.Equal([typeof(ProviderFailureInfo)], Assert.Single(type.GetConstructors()).GetParameters().Select(p => p.ParameterType));
            Assert.Empty(type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_one_factory_builds_each_provider_s_own_type_from_its_registration(string provider)
    {
        using var services = provider switch
        {
            "next" => Next.NextTestKit.Services(null),
            "twisto" => Twisto.TwistoTestKit.Services(null),
            "mangopay" => Mangopay.MangopayTestKit.Services(null),
            _ => NeuroPayTestKit.Services(null),
        };
        var options = services.GetRequiredService<IOptionsMonitor<ProviderHttpOptions>>().Get(provider);
        var info = new ProviderFailureInfo(provider, ProviderFailure.Unavailable, "down", null, null, null, null, NotSent: true);

        var ex = ProviderErrors.Create(options, info);

        Assert.Equal(provider switch
        {
            "next" => typeof(NextException),
            "twisto" => typeof(TwistoException),
            "mangopay" => typeof(MangopayException),
            _ => typeof(NeuroPayException),
        }, ex.GetType());
        Assert.True(ex.NotSent);
        Assert.True(ProviderErrors.Create(null, info).NotSent);
    }
}
