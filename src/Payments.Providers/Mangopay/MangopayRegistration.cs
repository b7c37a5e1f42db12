using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

public static class MangopayRegistration
{
    /// <summary>
    /// Registers Mangopay when <c>Providers:Mangopay</c> is configured (settings validated at start-up); without that
    /// section Mangopay is simply not offered. Resilience settings come from <c>Providers:Mangopay:Http</c>.
    /// </summary>
    public static IServiceCollection AddMangopayProvider(this IServiceCollection services, IConfiguration configuration) =>
        services.AddProvider<MangopayProvider, MangopayOptions, MangopayOptionsValidator, MangopayClient>(configuration, MangopayOptions.SectionName,
            MangopayClient.HttpClientName, MangopayClient.Configure, MangopayJson.ReadErrorCode, also: s => s.TryAddSingleton<MangopayTokens>());
}
