using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Payments.Providers.Http;

public static class ProviderHttpClientRegistration
{
    /// <summary>
    /// Registers the named <see cref="HttpClient"/> <paramref name="name"/> for a provider, behind its error mapping
    /// (<see cref="ProviderErrorHandler"/>, outermost) and its resilience pipeline (<c>AddResilienceHandler</c> with the
    /// rules of <see cref="ProviderPipelines"/>), and <typeparamref name="TClient"/> as a
    /// singleton that creates a client per call from <see cref="IHttpClientFactory"/> (so handlers rotate and the
    /// provider object can be a singleton). <paramref name="resilience"/>, when given, binds
    /// <see cref="ProviderHttpOptions"/> (e.g. <c>Providers:Next:Http</c>); <paramref name="configureResilience"/>
    /// sets what cannot come from configuration (the error body reader).
    /// </summary>
    /// <returns>The client's builder, e.g. for tests to swap the primary handler.</returns>
    public static IHttpClientBuilder AddProviderHttpClient<TClient>(
        this IServiceCollection services,
        string name,
        Action<IServiceProvider, HttpClient> configureClient,
        IConfiguration? resilience = null,
        Action<ProviderHttpOptions>? configureResilience = null)
        where TClient : class
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TClient>();

        var options = services.AddOptions<ProviderHttpOptions>(name);
        if (resilience is not null)
        {
            options.Bind(resilience);
        }

        if (configureResilience is not null)
        {
            options.Configure(configureResilience);
        }

        options.Validate(o => ProviderHttpOptions.Problems(o).Count == 0,
            $"Providers:{name}:Http is invalid: timeouts must be 10 ms to 1 day (attempt ≤ total), MaxRetryAttempts 0-10, "
            + "CircuitFailureRatio above 0 and at most 1, CircuitMinimumThroughput at least 2, circuit durations at least 0.5 s, "
            + "delays not negative.")
            .ValidateOnStart();

        var client = services
            .AddHttpClient(name, (sp, client) =>
            {
                // The pipeline owns every timeout; HttpClient's own 100 s would only cut across it.
                client.Timeout = Timeout.InfiniteTimeSpan;
                configureClient(sp, client);
            })
            .AddHttpMessageHandler(sp => new ProviderErrorHandler(name, sp.GetRequiredService<IOptionsMonitor<ProviderHttpOptions>>()));

        // Settings are read once, when the pipeline is first built (as the circuit must outlive any reload).
        client.AddResilienceHandler(ProviderPipelines.PipelineName, (pipeline, context) => ProviderPipelines.Configure(
            pipeline,
            name,
            context.GetOptions<ProviderHttpOptions>(name),
            context.ServiceProvider.GetRequiredService<TimeProvider>(),
            context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Payments.Providers.Http")));
        return client;
    }
}
