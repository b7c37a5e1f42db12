using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;

namespace Payments.Providers.Http;

/// <summary>What every provider folder registers, the same way.</summary>
public static class ProviderServiceRegistration
{
    /// <summary>
    /// When <paramref name="sectionName"/> is configured: binds <typeparamref name="TOptions"/> (validated at
    /// start-up by <typeparamref name="TValidator"/>), registers <typeparamref name="TClient"/> behind the shared
    /// resilience (settings from <c>{section}:Http</c>) with the provider's error reading, and offers
    /// <typeparamref name="TProvider"/> as an <see cref="IPaymentProvider"/> singleton, then adds what only this provider
    /// needs (<paramref name="also"/>). Without the section the provider is simply not offered, and nothing is added.
    /// </summary>
    public static IServiceCollection AddProvider<TProvider, TOptions, TValidator, TClient>(
        this IServiceCollection services,
        IConfiguration configuration,
        string sectionName,
        string httpClientName,
        Action<HttpClient, TOptions> configureClient,
        Func<string, string?> readErrorCode,
        Action<IServiceCollection>? also = null)
        where TProvider : class, IPaymentProvider
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
        where TClient : class
    {
        var section = configuration.GetSection(sectionName);
        if (!section.Exists())
        {
            return services;
        }

        services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddProviderHttpClient<TClient>(
            httpClientName,
            (sp, http) => configureClient(http, sp.GetRequiredService<IOptionsMonitor<TOptions>>().CurrentValue),
            section.GetSection("Http"),
            http => http.ReadErrorCode = readErrorCode);
        services.TryAddSingleton<TProvider>();
        services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<TProvider>());
        also?.Invoke(services);
        return services;
    }
}
