using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Messaging.Functions;
using Payments.Messaging.InProcess;
using Payments.Messaging.ServiceBus;
using Payments.Messaging.Webhooks;

namespace Payments.Messaging;

/// <summary>Which <see cref="IMessageSender"/> <see cref="MessagingRegistration.AddMessaging"/> chose.</summary>
public enum MessagingMode
{
    /// <summary>Service Bus over AMQP, <c>Azure.Messaging.ServiceBus</c> (<c>ServiceBus:ConnectionString</c> or <c>ServiceBus:FullyQualifiedNamespace</c>).</summary>
    ServiceBus,

    /// <summary>No Service Bus configured: the in-process bus and its background pump.</summary>
    InProcess,
}

/// <summary>Registered by AddMessaging: which sender is in use (for health pages and start-up logs).</summary>
public sealed record MessagingInfo(MessagingMode Mode);

public static class MessagingRegistration
{
    /// <summary>The variable the Functions host sets for a custom handler; its presence means "running under the host".</summary>
    public const string FunctionsHostPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// Registers messaging:
    /// <list type="bullet">
    /// <item><see cref="IMessageSender"/>: <see cref="ServiceBusMessageSender"/> when <c>ServiceBus:ConnectionString</c> (SAS) or
    /// <c>ServiceBus:FullyQualifiedNamespace</c> (Entra ID: the app's one <see cref="TokenCredential"/>, registered here with
    /// TryAdd as DefaultAzureCredential unless one is registered already) is set, over the one <see cref="ServiceBusClient"/>
    /// registered through <c>Microsoft.Extensions.Azure</c> (<c>ServiceBus:TransportType</c>, the retry keys); otherwise <see cref="InProcessBus"/> (also registered as itself) with
    /// <see cref="InProcessBusPump"/> (unless <c>ServiceBus:InProcess:Pump</c> is false: tests that drive
    /// <see cref="InProcessBus.ProcessDueAsync"/> themselves); the bus subscribes every <see cref="ServiceBusFunction"/>
    /// handler to its entity.</item>
    /// <item><see cref="TimerFunctionService"/> when not under the Functions host (no <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>),
    /// unless <c>Timers:Enabled</c> says otherwise.</item>
    /// <item><see cref="WebhookDeliverer"/>, <see cref="WebhookOptions"/> (validated on start) and <see cref="WebhookVerifier"/>.</item>
    /// </list>
    /// With Service Bus, dispose the container asynchronously (as the host does): <see cref="ServiceBusClient"/> is
    /// <see cref="IAsyncDisposable"/> only. A <see cref="ServiceBusClient"/> registered before this call is kept (tests
    /// register a mock).
    /// Handlers are registered separately with <see cref="FunctionRegistration.AddServiceBusFunction{THandler}(IServiceCollection, string, string)"/>
    /// and <see cref="FunctionRegistration.AddTimerFunction"/>, before or after this call.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        var serviceBus = new ServiceBusOptions();
        configuration.GetSection(ServiceBusOptions.SectionName).Bind(serviceBus);
        services.AddOptions<ServiceBusOptions>().Bind(configuration.GetSection(ServiceBusOptions.SectionName));

        if (serviceBus.UsesServiceBus())
        {
            // Fail at start, not on the first send, and without echoing the connection string.
            var connectionString = string.IsNullOrWhiteSpace(serviceBus.ConnectionString) ? null : serviceBus.ConnectionString.Trim();
            var namespaceHost = connectionString is null ? serviceBus.NamespaceHost() : null;
            if (connectionString is not null)
            {
                ValidateConnectionString(connectionString);
            }

            if (serviceBus.RetryProblem() is { } problem)
            {
                throw new InvalidOperationException(problem);
            }

            services.TryAddSingleton(new MessagingInfo(MessagingMode.ServiceBus));

            // The app's one credential (Storage registers the same with TryAdd): managed identity in Azure.
            services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
            services.AddAzureClients(clients =>
            {
                var client = connectionString is not null
                    ? clients.AddServiceBusClient(connectionString)
                    : clients.AddServiceBusClientWithNamespace(namespaceHost!);
                client.ConfigureOptions(o =>
                {
                    o.TransportType = serviceBus.TransportType;
                    o.RetryOptions = serviceBus.RetryOptions();
                });
                clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            });
            services.TryAddSingleton(sp => new ServiceBusMessageSender(
                sp.GetRequiredService<ServiceBusClient>(),
                sp.GetService<ILogger<ServiceBusMessageSender>>()));
            services.TryAddSingleton<IMessageSender>(sp => sp.GetRequiredService<ServiceBusMessageSender>());
        }
        else
        {
            services.TryAddSingleton(new MessagingInfo(MessagingMode.InProcess));
            services.AddOptions<InProcessBusOptions>().Bind(configuration.GetSection(InProcessBusOptions.SectionName));
            services.TryAddSingleton(sp =>
            {
                var bus = new InProcessBus(
                    sp.GetRequiredService<IOptions<InProcessBusOptions>>().Value,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetService<ILogger<InProcessBus>>());
                bus.DeclareTopic(MessagingEntities.PaymentEvents);
                bus.DeclareQueue(MessagingEntities.PaymentCharges);
                var scopes = sp.GetRequiredService<IServiceScopeFactory>();
                foreach (var function in sp.GetServices<ServiceBusFunction>())
                {
                    var handler = new ScopedFunctionHandler(scopes, function.FunctionName);
                    if (function.SubscriptionName is { } subscription)
                    {
                        bus.Subscribe(function.EntityPath, subscription, handler);
                    }
                    else
                    {
                        bus.Subscribe(function.EntityPath, handler);
                    }
                }

                return bus;
            });
            services.TryAddSingleton<IMessageSender>(sp => sp.GetRequiredService<InProcessBus>());
            if (configuration.GetValue($"{InProcessBusOptions.SectionName}:{nameof(InProcessBusOptions.Pump)}", true))
            {
                services.AddHostedService<InProcessBusPump>();
            }
        }

        var underFunctionsHost = !string.IsNullOrEmpty(configuration[FunctionsHostPortVariable]);
        if (configuration.GetValue("Timers:Enabled", !underFunctionsHost))
        {
            services.AddHostedService<TimerFunctionService>();
        }

        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        services.AddHttpClient(WebhookDeliverer.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp => new WebhookDeliverer(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout,
            sp.GetService<ILogger<WebhookDeliverer>>()));
        services.TryAddSingleton(sp => new WebhookVerifier(sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Throws when the SDK could not use the connection string; the message never contains the string.</summary>
    private static void ValidateConnectionString(string connectionString)
    {
        ServiceBusConnectionStringProperties? properties;
        try
        {
            properties = ServiceBusConnectionStringProperties.Parse(connectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            properties = null;
        }

        var authorized = properties is not null
            && (!string.IsNullOrEmpty(properties.SharedAccessSignature)
                || (!string.IsNullOrEmpty(properties.SharedAccessKeyName) && !string.IsNullOrEmpty(properties.SharedAccessKey)));
        if (properties?.Endpoint is null || !authorized)
        {
            throw new InvalidOperationException(
                "ServiceBus:ConnectionString is not a Service Bus connection string (Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…).");
        }
    }

    /// <summary>Resolves the function's keyed handler in a fresh scope for every delivery (as a request would).</summary>
    private sealed class ScopedFunctionHandler(IServiceScopeFactory scopes, string functionName) : IMessageHandler
    {
        public async Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredKeyedService<IMessageHandler>(functionName);
            return await handler.HandleAsync(message, cancellationToken);
        }
    }
}
