using Microsoft.Extensions.Configuration;

namespace Payments.Providers.Tests;

/// <summary>What every provider's test kit does the same way: the real DI graph over in-memory settings, with a fake handler under the provider's client.</summary>
internal static class ProviderTestKit
{
    /// <summary>
    /// The provider's own settings (<c>Providers:{section}:…</c>) plus the HTTP pipeline's for tests: no waits between
    /// retries, a 5-second attempt timeout and three attempts.
    /// </summary>
    public static Dictionary<string, string?> Settings(string section, Dictionary<string, string?> own)
    {
        own[$"Providers:{section}:Http:RetryBaseDelay"] = "00:00:00";
        own[$"Providers:{section}:Http:MaxRetryAfterDelay"] = "00:00:00";
        own[$"Providers:{section}:Http:AttemptTimeout"] = "00:00:05";
        own[$"Providers:{section}:Http:MaxRetryAttempts"] = "3";
        return own;
    }

    /// <summary>
    /// The payment providers registered from <paramref name="settings"/> (after <paramref name="tweak"/>), with
    /// <paramref name="clock"/> and <paramref name="links"/> when given, and <paramref name="handler"/>, when given,
    /// under the named client <paramref name="httpClientName"/>; scopes validated, everything resolved on build.
    /// </summary>
    public static ServiceProvider Services(Dictionary<string, string?> settings, string httpClientName, CapturingHandler? handler,
        Action<Dictionary<string, string?>>? tweak = null, TimeProvider? clock = null, IPaymentLinks? links = null)
    {
        tweak?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        if (links is not null)
        {
            services.AddSingleton(links);
        }

        services.AddPaymentProviders(configuration);
        if (handler is not null)
        {
            services.AddHttpClient(httpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    /// <summary>The registered provider named <paramref name="name"/>, as its own type.</summary>
    public static TProvider Provider<TProvider>(IServiceProvider services, string name) where TProvider : IPaymentProvider =>
        (TProvider)services.GetServices<IPaymentProvider>().Single(p => p.Name == name);
}
