using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Providers.Http;

namespace Payments.Providers.Twisto;

public static class TwistoRegistration
{
    /// <summary>
    /// Registers Twisto when <c>Providers:Twisto</c> is configured (settings validated at start-up); without that
    /// section Twisto is simply not offered. Resilience settings come from <c>Providers:Twisto:Http</c>.
    /// </summary>
    public static IServiceCollection AddTwistoProvider(this IServiceCollection services, IConfiguration configuration) =>
        services.AddProvider<TwistoProvider, TwistoOptions, TwistoOptionsValidator, TwistoClient>(configuration, TwistoOptions.SectionName,
            TwistoClient.HttpClientName, TwistoClient.Configure, TwistoJson.ReadErrorCode);
}
