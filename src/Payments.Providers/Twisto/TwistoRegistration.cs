using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;
using Payments.Providers.Twisto;

// In the parent namespace so that ProviderRegistration needs one line for Twisto, and no using.
namespace Payments.Providers;

public static class TwistoRegistration
{
    /// <summary>
    /// Registers Twisto when <c>Providers:Twisto</c> is configured (settings validated at start-up); without that
    /// section Twisto is simply not offered. Resilience settings come from <c>Providers:Twisto:Http</c>.
    /// </summary>
    public static IServiceCollection AddTwistoProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TwistoOptions.SectionName);
        if (!section.Exists())
        {
            return services;
        }

        services.AddOptions<TwistoOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TwistoOptions>, TwistoOptionsValidator>());

        services.AddProviderHttpClient<TwistoClient>(
            TwistoClient.HttpClientName,
            (sp, http) => TwistoClient.Configure(http, sp.GetRequiredService<IOptionsMonitor<TwistoOptions>>().CurrentValue),
            section.GetSection("Http"),
            http =>
            {
                http.ReadErrorCode = TwistoJson.ReadErrorCode;
                http.CreateException = info => new TwistoException(info);
            });

        services.TryAddSingleton<TwistoProvider>();
        services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<TwistoProvider>());
        return services;
    }
}
