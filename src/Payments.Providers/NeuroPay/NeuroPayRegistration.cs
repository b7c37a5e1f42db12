using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Providers.Http;

namespace Payments.Providers.NeuroPay;

public static class NeuroPayRegistration
{
    /// <summary>
    /// Registers Neuro-Pay when <c>Providers:NeuroPay</c> is configured (settings validated at start-up); without that
    /// section Neuro-Pay is simply not offered. Resilience settings come from <c>Providers:NeuroPay:Http</c>.
    /// </summary>
    public static IServiceCollection AddNeuroPayProvider(this IServiceCollection services, IConfiguration configuration) =>
        services.AddProvider<NeuroPayProvider, NeuroPayOptions, NeuroPayOptionsValidator, NeuroPayClient>(configuration, NeuroPayOptions.SectionName,
            NeuroPayClient.HttpClientName, NeuroPayClient.Configure, NeuroPayResponses.ReadErrorCode);
}
