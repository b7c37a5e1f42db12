using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Providers.Http;

namespace Payments.Providers.Next;

public static class NextRegistration
{
    /// <summary>
    /// Registers NEXT when <c>Providers:Next</c> is configured (settings validated at start-up); without that
    /// section NEXT is simply not offered. Resilience settings come from <c>Providers:Next:Http</c>.
    /// </summary>
    public static IServiceCollection AddNextProvider(this IServiceCollection services, IConfiguration configuration) =>
        services.AddProvider<NextProvider, NextOptions, NextOptionsValidator, NextClient>(configuration, NextOptions.SectionName,
            NextClient.HttpClientName, NextClient.Configure, NextJson.ReadErrorCode, also: s => s.TryAddSingleton<NextWebhookVerifier>());
}
