using System.Net;
using Payments.Core.Providers;
using Payments.Providers.Http;
using Payments.Providers.Mangopay;
using Payments.Providers.NeuroPay;
using Payments.Providers.Next;
using Payments.Providers.Tests.NeuroPay;
using Payments.Providers.Twisto;
using Payments.Testing.Http;

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
}
