using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Instrumentation.Http;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Telemetry;
using Payments.Messaging;

namespace Payments.Host.Telemetry;

/// <summary>
/// Adds exporters to the telemetry pipeline from outside the app's configuration: the tests' in-memory exporters. Every
/// one registered in the services before <see cref="TelemetryRegistration.AddPaymentsTelemetry"/> runs
/// turns the pipeline on and is applied after the app's own processors (so log records reach it with the order id).
/// </summary>
public interface IPaymentsTelemetryExporter
{
    void Configure(OpenTelemetryBuilder builder);
}

/// <summary>Where telemetry goes, read once at start-up from configuration (environment variables included).</summary>
/// <param name="AzureMonitorConnectionString"><c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>.</param>
/// <param name="EntraAuthentication"><c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says <c>Authorization=AAD</c>.</param>
/// <param name="ManagedIdentityClientId">Its <c>ClientId=…</c>: a user-assigned identity; none for the system-assigned one.</param>
/// <param name="OtlpEndpoint"><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</param>
/// <param name="SamplingRatio"><c>Telemetry:SamplingRatio</c>, 0 to 1: the share of traces kept (parent-based: a trace is kept or dropped whole).</param>
/// <param name="TracesPerSecond"><c>Telemetry:TracesPerSecond</c>: Azure Monitor's rate-limited sampling (its default is 5 per second).</param>
/// <param name="Forced"><c>Telemetry:Enabled</c> true: the pipeline runs even without an exporter (only exporters added by code then see anything).</param>
public sealed record TelemetrySettings(
    string? AzureMonitorConnectionString,
    bool EntraAuthentication,
    string? ManagedIdentityClientId,
    string? OtlpEndpoint,
    double? SamplingRatio,
    double? TracesPerSecond,
    bool Forced)
{
    public const string ConnectionStringVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringVariable = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public bool AzureMonitor => AzureMonitorConnectionString is not null;

    public bool Otlp => OtlpEndpoint is not null;

    public bool AnyExporter => AzureMonitor || Otlp;

    public static TelemetrySettings From(IConfiguration configuration)
    {
        var authentication = ParseAuthentication(configuration[AuthenticationStringVariable]);
        return new TelemetrySettings(
            NullIfBlank(configuration[ConnectionStringVariable]),
            authentication.TryGetValue("Authorization", out var kind) && kind.Equals("AAD", StringComparison.OrdinalIgnoreCase),
            authentication.TryGetValue("ClientId", out var clientId) && clientId.Length > 0 ? clientId : null,
            NullIfBlank(configuration[OtlpEndpointVariable]),
            Fraction(configuration, "Telemetry:SamplingRatio", max: 1),
            Fraction(configuration, "Telemetry:TracesPerSecond", max: double.MaxValue),
            configuration.GetValue("Telemetry:Enabled", false));
    }

    private static Dictionary<string, string> ParseAuthentication(string? value)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parts[part[..equals].Trim()] = part[(equals + 1)..].Trim();
            }
        }

        return parts;
    }

    private static double? Fraction(IConfiguration configuration, string key, double max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Fail at start-up, naming the key (never a value that might be a secret: these are numbers).
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || value > max)
        {
            throw new InvalidOperationException($"{key} must be a number from 0{(max == 1 ? " to 1" : string.Empty)}.");
        }

        return value;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class TelemetryRegistration
{
    /// <summary>The Azure SDK activity sources traced: Table Storage, Service Bus, and Entra ID token requests.</summary>
    public static readonly string[] AzureSdkSources = ["Azure.Data.Tables.*", "Azure.Messaging.ServiceBus.*", "Azure.Identity.*"];

    /// <summary>
    /// OpenTelemetry for the handler, when there is somewhere to send it: Azure Monitor when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (with Entra ID, the app's managed identity, when
    /// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> is <c>Authorization=AAD</c>: the deployed resource has local
    /// auth off), OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (both may be), and nothing otherwise: without an
    /// exporter nothing is registered and the app runs exactly as it did.
    /// <list type="bullet">
    /// <item>Traces: ASP.NET Core, HttpClient (provider calls, webhook deliveries: these carry <c>traceparent</c>), the
    /// Azure SDK's sources (<c>Azure.*</c>: Table Storage, Service Bus) and <see cref="PaymentsTelemetry.Source"/>.</item>
    /// <item>Metrics: <see cref="PaymentsTelemetry.Meter"/> (and ASP.NET Core's and HttpClient's own).</item>
    /// <item>Logs: every <c>ILogger</c> line, with the order id of its span (<see cref="OrderIdLogProcessor"/>).</item>
    /// </list>
    /// The payment flow is instrumented from outside: each provider, the message sender, the commit observer and the
    /// reference lookups are wrapped (<see cref="InstrumentedProvider"/>, <see cref="TracingMessageSender"/>,
    /// <see cref="TelemetryOrderObserver"/>, <see cref="TelemetryOrderLookups"/>). Call after everything else is registered.
    /// </summary>
    public static IServiceCollection AddPaymentsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = TelemetrySettings.From(configuration);
        var exporters = services.Where(d => d.ServiceType == typeof(IPaymentsTelemetryExporter) && d.ImplementationInstance is not null)
            .Select(d => (IPaymentsTelemetryExporter)d.ImplementationInstance!).ToList();
        return !settings.AnyExporter && !settings.Forced && exporters.Count == 0
            ? services
            : AddOpenTelemetry(services, configuration, settings, exporters);
    }

    /// <summary>
    /// The registration itself, in a method of its own: the runtime loads the assemblies a method names when it first runs
    /// the method, so a handler without an exporter never loads OpenTelemetry or the Azure Monitor distro (five assemblies
    /// on the start-up thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IServiceCollection AddOpenTelemetry(IServiceCollection services, IConfiguration configuration, TelemetrySettings settings,
        List<IPaymentsTelemetryExporter> exporters)
    {
        services.AddSingleton(settings);

        // The Azure SDK creates its activities (Table Storage, Service Bus) only with this switch on.
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

        Decorate<IPaymentProvider>(services, p => new InstrumentedProvider(p));
        Decorate<IMessageSender>(services, s => new TracingMessageSender(s));
        Decorate<IOrderChangeObserver>(services, o => new TelemetryOrderObserver(o));
        Decorate<IOrderLookups>(services, l => new TelemetryOrderLookups(l));

        services.Configure<AspNetCoreTraceInstrumentationOptions>(o =>
        {
            // The Functions host's readiness probe is not a request anybody wants to see, and the provider sandbox (local
            // runs and tests only: refused in Azure) stands in for a provider, whose calls the HttpClient spans show.
            o.Filter = context => !(context.Request.Path.Value is "/" or "" && HttpMethods.IsGet(context.Request.Method))
                && !context.Request.Path.StartsWithSegments("/sandbox", StringComparison.OrdinalIgnoreCase);
            o.EnrichWithHttpRequest = RequestTelemetry.Enrich;
        });
        services.Configure<HttpClientTraceInstrumentationOptions>(o =>
        {
            // The Azure SDK's own spans describe its HTTP calls (Table Storage); one span per call is enough.
            o.FilterHttpRequestMessage = _ => !InAzureSdkCall();
        });

        var otel = services.AddOpenTelemetry();
        if (!settings.AzureMonitor && string.IsNullOrEmpty(configuration["OTEL_SERVICE_NAME"]))
        {
            // In Azure the distro names the service after the Function App (WEBSITE_SITE_NAME), like the host's own telemetry.
            otel.ConfigureResource(r => r.AddService("payments"));
        }

        otel.WithTracing(tracing =>
        {
            // The Azure SDKs' own spans (Azure.*), without Azure.Core.Http: that one repeats each SDK call's span at the
            // HTTP level, one more span per Table Storage call on the callback path (the distro adds it in Azure).
            tracing.AddSource(PaymentsTelemetry.Name).AddSource(AzureSdkSources);
            if (!settings.AzureMonitor)
            {
                tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (settings.SamplingRatio is { } ratio)
                {
                    tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)));
                }
            }

            if (settings.Otlp)
            {
                tracing.AddOtlpExporter();
            }
        });
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(PaymentsTelemetry.Name);
            if (!settings.AzureMonitor)
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
            }

            if (settings.Otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        otel.WithLogging(
            logging =>
            {
                // First, so that every exporter sees the order id.
                logging.AddProcessor(new OrderIdLogProcessor());
                if (settings.Otlp)
                {
                    logging.AddOtlpExporter();
                }
            },
            options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = false;
            });

        if (settings.AzureMonitor)
        {
            otel.UseAzureMonitor(o =>
            {
                o.ConnectionString = settings.AzureMonitorConnectionString;
                if (settings.EntraAuthentication)
                {
                    o.Credential = ManagedIdentity(settings.ManagedIdentityClientId);
                }

                if (settings.TracesPerSecond is { } perSecond)
                {
                    o.TracesPerSecond = perSecond;
                }
                else if (settings.SamplingRatio is { } ratio)
                {
                    o.SamplingRatio = (float)ratio;
                    o.TracesPerSecond = null;
                }
            });
        }

        foreach (var exporter in exporters)
        {
            exporter.Configure(otel);
        }

        return services;
    }

    /// <summary>True inside an Azure SDK span (the HttpClient's own activity, when it is already current, is skipped).</summary>
    private static bool InAzureSdkCall()
    {
        var activity = System.Diagnostics.Activity.Current;
        if (activity?.OperationName == "System.Net.Http.HttpRequestOut")
        {
            activity = activity.Parent;
        }

        return activity?.Source.Name.StartsWith("Azure.", StringComparison.Ordinal) == true;
    }

    /// <summary>The Function App's identity, as the Functions host uses it for the same resource (Monitoring Metrics Publisher).</summary>
    private static ManagedIdentityCredential ManagedIdentity(string? clientId) =>
        new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));

    /// <summary>Replaces every registration of <typeparamref name="TService"/> with one that wraps what it made.</summary>
    private static void Decorate<TService>(IServiceCollection services, Func<TService, TService> wrap)
        where TService : class
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(TService) || descriptor.IsKeyedService)
            {
                continue;
            }

            Func<IServiceProvider, object> create = descriptor.ImplementationInstance is { } instance ? _ => instance
                : descriptor.ImplementationFactory is { } factory ? factory
                : sp => ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
            services[i] = new ServiceDescriptor(typeof(TService), sp => wrap((TService)create(sp)), descriptor.Lifetime);
        }
    }
}
