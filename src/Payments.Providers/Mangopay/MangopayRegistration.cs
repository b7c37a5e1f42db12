using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

public static class MangopayRegistration
{
    /// <summary>
    /// Registers Mangopay when <c>Providers:Mangopay</c> is configured (settings validated at start-up); without that
    /// section Mangopay is simply not offered. Resilience settings come from <c>Providers:Mangopay:Http</c>.
    /// </summary>
    public static IServiceCollection AddMangopayProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MangopayOptions.SectionName);
        if (!section.Exists())
        {
            return services;
        }

        services.AddOptions<MangopayOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MangopayOptions>, MangopayOptionsValidator>());

        services.AddProviderHttpClient<MangopayClient>(
            MangopayClient.HttpClientName,
            (sp, http) => MangopayClient.Configure(http, sp.GetRequiredService<IOptionsMonitor<MangopayOptions>>().CurrentValue),
            section.GetSection("Http"),
            http =>
            {
                http.ReadErrorCode = MangopayJson.ReadErrorCode;
                http.CreateException = info => new MangopayException(info);
            });

        services.TryAddSingleton<MangopayTokens>();
        services.TryAddSingleton<MangopayProvider>();
        services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<MangopayProvider>());
        return services;
    }
}
