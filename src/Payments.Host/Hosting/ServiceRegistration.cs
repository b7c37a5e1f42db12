using System.Text.Json.Serialization;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Host.Api;
using Payments.Host.Returns;
using Payments.Providers;
using Payments.Sandbox;
using Payments.Storage;

namespace Payments.Host.Hosting;

public static class ServiceRegistration
{
    /// <summary>Everything the handler needs, from configuration (DESIGN §9).</summary>
    public static IServiceCollection AddPaymentsHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });

        services.AddOptions<SecurityOptions>().BindConfiguration("Security").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PublicUrlOptions>()
            .Configure(o => o.PublicBaseUrl = configuration["PublicBaseUrl"] ?? string.Empty)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiOptions>().BindConfiguration("Api");

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ReturnLinks>();
        services.AddSingleton<IPaymentLinks>(sp => sp.GetRequiredService<ReturnLinks>());
        services.AddSingleton<ProviderCatalog>();
        services.AddSingleton<PaymentService>();
        services.AddSingleton<PaymentOperations>();
        services.AddSingleton<ApiKeyFilter>();

        services.AddOrderStorage(configuration);
        services.AddPaymentProviders(configuration);
        if (SandboxEnabled(configuration))
        {
            services.AddSandbox();
        }

        return services;
    }

    public static bool SandboxEnabled(IConfiguration configuration) => configuration.GetValue<bool>("Sandbox:Enabled");

    /// <summary>
    /// Defaults that depend on other settings: the public base URL when running standalone, and, with the
    /// sandbox on, provider base URLs pointing at the simulators. Explicit settings always win.
    /// </summary>
    public static void ApplyDerivedDefaults(ConfigurationManager configuration)
    {
        var defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var inAzure = FunctionsHost.IsInAzure(configuration);
        if (string.IsNullOrEmpty(configuration["PublicBaseUrl"]) && !inAzure)
        {
            defaults["PublicBaseUrl"] = StandaloneBaseUrl(configuration["urls"]);
        }

        if (SandboxEnabled(configuration))
        {
            if (inAzure)
            {
                throw new InvalidOperationException("Sandbox:Enabled is refused when running in Azure: the simulators would accept fake payments.");
            }

            var publicBase = (configuration["PublicBaseUrl"] ?? defaults["PublicBaseUrl"] ?? FunctionsHost.DefaultStandaloneUrl).TrimEnd('/');
            foreach (var (key, value) in SandboxDefaults.For(publicBase))
            {
                if (string.IsNullOrEmpty(configuration[key]))
                {
                    defaults[key] = value;
                }
            }
        }

        if (defaults.Count > 0)
        {
            configuration.AddInMemoryCollection(defaults);
        }
    }

    private static string StandaloneBaseUrl(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(first))
        {
            return FunctionsHost.DefaultStandaloneUrl;
        }

        return first.Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
    }
}
