using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.NeuroPay;

public static class NeuroPayRegistration
{
    /// <summary>
    /// Registers Neuro-Pay when <c>Providers:NeuroPay</c> is configured (settings validated at start-up); without that
    /// section Neuro-Pay is simply not offered. Resilience settings come from <c>Providers:NeuroPay:Http</c>.
    /// </summary>
    public static IServiceCollection AddNeuroPayProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(NeuroPayOptions.SectionName);
        if (!section.Exists())
        {
            return services;
        }

        services.AddOptions<NeuroPayOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeuroPayOptions>, NeuroPayOptionsValidator>());

        services.AddProviderHttpClient<NeuroPayClient>(
            NeuroPayClient.HttpClientName,
            (sp, http) => NeuroPayClient.Configure(http, sp.GetRequiredService<IOptionsMonitor<NeuroPayOptions>>().CurrentValue),
            section.GetSection("Http"),
            http =>
            {
                http.ReadErrorCode = NeuroPayResponses.ReadErrorCode;
                http.CreateException = info => new NeuroPayException(info);
            });

        services.TryAddSingleton<NeuroPayProvider>();
        services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<NeuroPayProvider>());
        return services;
    }
}
