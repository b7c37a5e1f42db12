using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Next;

public static class NextRegistration
{
    /// <summary>
    /// Registers NEXT when <c>Providers:Next</c> is configured (settings validated at start-up); without that
    /// section NEXT is simply not offered. Resilience settings come from <c>Providers:Next:Http</c>.
    /// </summary>
    public static IServiceCollection AddNextProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(NextOptions.SectionName);
        if (!section.Exists())
        {
            return services;
        }

        services.AddOptions<NextOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NextOptions>, NextOptionsValidator>());

        services.AddProviderHttpClient<NextClient>(
            NextClient.HttpClientName,
            (sp, http) => NextClient.Configure(http, sp.GetRequiredService<IOptionsMonitor<NextOptions>>().CurrentValue),
            section.GetSection("Http"),
            http =>
            {
                http.ReadErrorCode = NextJson.ReadErrorCode;
                http.CreateException = info => new NextException(info);
            });

        services.TryAddSingleton<NextWebhookVerifier>();
        services.TryAddSingleton<NextProvider>();
        services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<NextProvider>());
        return services;
    }
}
