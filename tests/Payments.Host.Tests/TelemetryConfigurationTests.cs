using Azure.Identity;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Payments.Core.Providers;
using Payments.Host.Telemetry;

namespace Payments.Host.Tests;

/// <summary>
/// What <c>AddPaymentsTelemetry</c> registers for each configuration, without starting the app: nothing without an
/// exporter, Azure Monitor with the app's managed identity when the connection string and the Entra authentication
/// string are set, OTLP for an endpoint; and bad sampling settings stop the start with the key's name.
/// </summary>
public sealed class TelemetryConfigurationTests
{
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Security:SigningKey"] = TestApp.SigningKey,
            ["Security:AllowedRedirectOrigins:0"] = TestApp.Shop,
            ["Sandbox:Enabled"] = "true",
            ["Timers:Enabled"] = "false",
            ["ServiceBus:InProcess:Pump"] = "false",
        };
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        return PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(config));
    }

    [Fact]
    public async Task Without_an_exporter_nothing_is_registered_and_nothing_is_wrapped()
    {
        await using var app = Build([]);
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.Null(app.Services.GetService<TelemetrySettings>());
        Assert.NotEmpty(app.Services.GetServices<IPaymentProvider>());
        Assert.All(app.Services.GetServices<IPaymentProvider>(), p => Assert.IsNotType<InstrumentedProvider>(p));
        Assert.IsNotType<TracingMessageSender>(app.Services.GetRequiredService<IMessageSender>());
        Assert.IsNotType<TelemetryOrderObserver>(app.Services.GetRequiredService<IOrderChangeObserver>());
        Assert.IsNotType<TelemetryOrderLookups>(app.Services.GetRequiredService<IOrderLookups>());
    }

    [Fact]
    public async Task Application_Insights_with_Entra_authentication_uses_the_system_assigned_managed_identity()
    {
        await using var app = Build(new()
        {
            [TelemetrySettings.ConnectionStringVariable] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
            [TelemetrySettings.AuthenticationStringVariable] = "Authorization=AAD",
            ["Telemetry:SamplingRatio"] = "0.25",
        });
        var options = app.Services.GetRequiredService<IOptionsMonitor<AzureMonitorOptions>>().Get(Options.DefaultName);
        Assert.IsType<ManagedIdentityCredential>(options.Credential);
        Assert.Equal(0.25f, options.SamplingRatio);
        Assert.Null(options.TracesPerSecond);
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.All(app.Services.GetServices<IPaymentProvider>(), p => Assert.IsType<InstrumentedProvider>(p));
        Assert.IsType<TracingMessageSender>(app.Services.GetRequiredService<IMessageSender>());
        Assert.IsType<TelemetryOrderObserver>(app.Services.GetRequiredService<IOrderChangeObserver>());
    }

    [Fact]
    public void The_authentication_string_names_a_user_assigned_identity_by_its_client_id()
    {
        var settings = TelemetrySettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetrySettings.ConnectionStringVariable] = "InstrumentationKey=00000000-0000-0000-0000-000000000000",
            [TelemetrySettings.AuthenticationStringVariable] = "Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555",
        }).Build());
        Assert.True(settings.EntraAuthentication);
        Assert.Equal("11111111-2222-3333-4444-555555555555", settings.ManagedIdentityClientId);

        var local = TelemetrySettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetrySettings.ConnectionStringVariable] = "InstrumentationKey=00000000-0000-0000-0000-000000000000",
        }).Build());
        Assert.False(local.EntraAuthentication);
    }

    [Fact]
    public async Task An_OTLP_endpoint_turns_on_traces_metrics_and_the_instrumented_flow()
    {
        await using var app = Build(new() { [TelemetrySettings.OtlpEndpointVariable] = "http://127.0.0.1:9" });
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
        Assert.True(app.Services.GetRequiredService<TelemetrySettings>().Otlp);
        Assert.All(app.Services.GetServices<IPaymentProvider>(), p => Assert.IsType<InstrumentedProvider>(p));
    }

    [Theory]
    [InlineData("Telemetry:SamplingRatio", "1.5")]
    [InlineData("Telemetry:SamplingRatio", "half")]
    [InlineData("Telemetry:TracesPerSecond", "-1")]
    public void A_bad_sampling_setting_stops_the_start_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { [key] = value }));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrapped_provider_claims_only_what_its_ports_can_do()
    {
        await using var app = Build(new() { ["Telemetry:Enabled"] = "true" });
        foreach (var provider in app.Services.GetServices<IPaymentProvider>().Cast<InstrumentedProvider>())
        {
            var inner = provider.Inner;
            Assert.Equal(inner.Name, provider.Name);
            Assert.Equal(inner.Capabilities, provider.Capabilities); // every registered provider implements what it claims
            Assert.Equal(inner.SessionCreationIsIdempotent, provider.SessionCreationIsIdempotent);
        }
    }
}
