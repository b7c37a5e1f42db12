using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Payments.Providers.NeuroPay;
using Payments.Providers.Tests.NeuroPay;

namespace Payments.Providers.Tests.Http;

/// <summary>
/// What the resilience pipeline logs (ours and the resilience library's own telemetry) names the provider and the
/// outcome, never the API key, a request body or an error body.
/// </summary>
public sealed class ProviderPipelineLogTests
{
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(Capture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {properties} {exception}");
            }
        }
    }

    [Fact]
    public async Task Retries_and_an_open_circuit_are_logged_without_secrets_or_bodies()
    {
        const string pii = "anna.svensson@example.se";
        var capture = new Capture();
        var settings = NeuroPayTestKit.Settings("https://api.paiwise.com");
        settings["Providers:NeuroPay:Http:CircuitMinimumThroughput"] = "2";
        settings["Providers:NeuroPay:Http:CircuitBreakDuration"] = "00:01:00";
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        services.AddPaymentProviders(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.ServiceUnavailable, $$"""{"error":"down","email":"{{pii}}"}""");
        services.AddHttpClient(NeuroPayClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<NeuroPayClient>();

        await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => client.RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));
        await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => client.CreateCustomerAsync(
            new NeuroPayCreateCustomerRequest { FirstName = "Anna", LastName = "Svensson", Email = pii }, CancellationToken.None));

        var lines = capture.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("Retrying neuropay call", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Circuit for neuropay opened", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" Polly: ", StringComparison.Ordinal)); // the resilience library's own telemetry
        Assert.All(lines, l =>
        {
            Assert.DoesNotContain(NeuroPayTestKit.ApiKey, l, StringComparison.Ordinal);
            Assert.DoesNotContain(pii, l, StringComparison.Ordinal);
        });
    }
}
