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
    /// <typeparamref name="TProvider"/> as an <see cref="IPaymentProvider"/> singleton. Without the section the
    /// provider is simply not offered.
    /// </summary>
    /// <returns>Whether the provider was registered, so the caller can add what only it needs.</returns>
    public static bool TryAddProvider<TProvider, TOptions, TValidator, TClient>(
        this IServiceCollection services,
        IConfiguration configuration,
        string sectionName,
        string httpClientName,
        Action<HttpClient, TOptions> configureClient,
        Func<string, string?> readErrorCode)
        where TProvider : class, IPaymentProvider
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
        where TClient : class
    {
        var section = configuration.GetSection(sectionName);
        if (!section.Exists())
        {
            return false;
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
        return true;
    }
}
