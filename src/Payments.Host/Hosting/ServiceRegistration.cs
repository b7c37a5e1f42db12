using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Refunds;
using Payments.Core.Providers;
using Payments.Host.Api;
using Payments.Host.Charges;
using Payments.Host.Diagnostics;
using Payments.Host.Events;
using Payments.Host.Health;
using Payments.Host.Returns;
using Payments.Messaging;
using Payments.Messaging.Webhooks;
using Payments.Providers;
using Payments.Sandbox;
using Payments.Storage;
using Payments.Storage.Orders;

namespace Payments.Host.Hosting;

/// <summary>The timer functions (folder names under functions/).</summary>
public static class TimerFunctions
{
    public const string OutboxSweep = "OutboxSweep";
    public const string ChargeSweep = "ChargeSweep";
    public const string Reconcile = "Reconcile";
}

public static class ServiceRegistration
{
    /// <summary>Everything the handler needs, from configuration (README: Configuration).</summary>
    public static IServiceCollection AddPaymentsHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddPaymentsOpenApi();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;

            // Numbers are numbers (the default only affects reading, and bodies are read strictly by RequestBody):
            // says so in the OpenAPI schemas, which otherwise offer "integer or string".
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, HealthJsonContext.Default);
        });

        services.AddOptions<SecurityOptions>().BindConfiguration("Security").ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddOptions<PublicUrlOptions>()
            .Configure(o => o.PublicBaseUrl = configuration["PublicBaseUrl"] ?? string.Empty)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PublicUrlOptions>, PublicUrlOptionsValidator>();
        services.AddOptions<ApiOptions>().BindConfiguration("Api");

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReturnLinks>();
        services.AddSingleton<IPaymentLinks>(sp => sp.GetRequiredService<ReturnLinks>());
        services.AddSingleton<ProviderCatalog>();
        services.AddSingleton<PaymentService>();
        services.AddSingleton<PaymentOperations>();
        services.AddSingleton<RefundService>();
        services.AddSingleton<ChargeService>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddSingleton(sp => new StorageProbe(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<OrderStorageOptions>>()));

        services.AddStorageRoundTripsDiagnostics(configuration);
        services.AddOrderStorage(configuration);
        services.AddEventsAndCharges(configuration);
        services.AddPaymentProviders(configuration);
        if (SandboxEnabled(configuration))
        {
            services.AddSandbox();
        }

        return services;
    }

    /// <summary>
    /// README, Events, webhooks and charges: the outbox dispatcher (after each commit and the <c>OutboxSweep</c> timer), the storefront webhook
    /// fan-out with its durable delivery log, the <c>payment-charges</c> queue and its <c>RunCharge</c> handler, the
    /// <c>ChargeSweep</c> and the <c>Reconcile</c> timer. Service Bus (Azure.Messaging.ServiceBus) in Azure, the in-process bus standalone.
    /// </summary>
    public static IServiceCollection AddEventsAndCharges(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMessaging(configuration);
        services.AddWebhookFanOut();
        services.AddSingleton<TableWebhookDeliveryLog>();
        services.AddSingleton<IWebhookDeliveryLog>(sp => sp.GetRequiredService<TableWebhookDeliveryLog>());
        services.AddSingleton<IWebhookFailureRecorder>(sp => sp.GetRequiredService<TableWebhookDeliveryLog>());

        services.AddSingleton<OutboxSentLog>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxSentLog>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<IChargeQueue, ChargeQueue>();
        services.AddSingleton<OrderCommitPublisher>();
        services.AddSingleton<CommitPublishQueue>();
        services.AddSingleton<IOrderChangeObserver>(sp => sp.GetRequiredService<CommitPublishQueue>());
        services.AddHostedService(sp => sp.GetRequiredService<CommitPublishQueue>());
        services.AddServiceBusFunction<ChargeHandler>(ChargeHandler.FunctionName, MessagingEntities.PaymentCharges);

        services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.SectionName)
            .Validate(o => o.PendingAfter >= TimeSpan.Zero && o.ExpireAfter >= TimeSpan.Zero && o.DefaultSessionLifetime > TimeSpan.Zero
                    && o.MaxOrdersPerRun is > 0 and <= 1000,
                "Reconciliation:PendingAfter and :ExpireAfter must not be negative, :DefaultSessionLifetime must be positive, :MaxOrdersPerRun 1-1000.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ReconciliationOptions>>().Value);
        services.AddSingleton<OrderReconciler>();

        // Schedules of the Functions host are in functions/<Name>/function.json; these periods are for standalone runs.
        services.AddTimerFunction(TimerFunctions.OutboxSweep, TimeSpan.FromMinutes(1),
            (sp, ct) => sp.GetRequiredService<OutboxDispatcher>().SweepAsync(ct), runOnStartup: true);
        services.AddTimerFunction(TimerFunctions.ChargeSweep, TimeSpan.FromMinutes(5),
            (sp, ct) => sp.GetRequiredService<ChargeService>().SweepAsync(ct));
        services.AddTimerFunction(TimerFunctions.Reconcile, TimeSpan.FromMinutes(5),
            async (sp, ct) =>
            {
                // Reconciliation settles orders the providers decided on, and refunds whose answer was lost.
                await sp.GetRequiredService<OrderReconciler>().RunAsync(ct);
                await sp.GetRequiredService<RefundService>().SweepAsync(ct);
            });
        return services;
    }

    public static bool SandboxEnabled(IConfiguration configuration) => configuration.GetValue<bool>("Sandbox:Enabled");

    /// <summary>True under the Functions host (it sets <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>): the trigger routes are mapped only then.</summary>
    public static bool UnderFunctionsHost(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[FunctionsHost.PortVariable]);

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
