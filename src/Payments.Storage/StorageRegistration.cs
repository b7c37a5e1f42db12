using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Storage.Orders;
using Payments.Storage.Tables;
using Payments.Storage.Webhooks;

namespace Payments.Storage;

public static class StorageRegistration
{
    /// <summary>
    /// Registers the SDK's <see cref="TableServiceClient"/> (one, through <c>Microsoft.Extensions.Azure</c>) from the
    /// <c>Storage</c> section: <c>Storage:ConnectionString</c>, else <c>AzureWebJobsStorage</c> (a connection string),
    /// else <c>Storage:TableServiceUri</c> or <c>AzureWebJobsStorage:tableServiceUri</c> with the app's one
    /// <see cref="TokenCredential"/> (registered here as DefaultAzureCredential unless one is registered already), plus
    /// its <see cref="StorageHealth"/>. Options are validated on start.
    /// </summary>
    public static IServiceCollection AddTableStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TableStorageOptions>()
            .Bind(configuration.GetSection(TableStorageOptions.SectionName))
            .PostConfigure(o =>
            {
                if (!string.IsNullOrWhiteSpace(o.ConnectionString) || o.TableServiceUri is not null)
                {
                    return;
                }

                var webJobs = configuration["AzureWebJobsStorage"];
                if (!string.IsNullOrWhiteSpace(webJobs))
                {
                    o.ConnectionString = webJobs;
                }
                else if (Uri.TryCreate(configuration["AzureWebJobsStorage:tableServiceUri"], UriKind.Absolute, out var uri))
                {
                    o.TableServiceUri = uri;
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TableStorageOptions>, TableStorageOptionsValidator>());

        // The app's one credential (managed identity in Azure); Messaging registers the same way, so there is one.
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.TryAddSingleton(sp => new StorageHealth(sp.GetService<TimeProvider>(), sp.GetService<ILogger<StorageHealth>>()));
        services.AddAzureClients(builder =>
        {
            // The credential is resolved only for the table service URI: with a connection string, building a
            // DefaultAzureCredential (and loading MSAL) would be start-up work that nothing uses.
            builder.AddClient<TableServiceClient, TableClientOptions>((clientOptions, sp) =>
            {
                var options = sp.GetRequiredService<IOptions<TableStorageOptions>>().Value;
                if (sp.GetService<StorageRoundTrips>() is { } roundTrips)
                {
                    clientOptions.AddPolicy(roundTrips.Policy, HttpPipelinePosition.PerRetry);
                }

                var credential = string.IsNullOrWhiteSpace(options.ConnectionString) ? sp.GetRequiredService<TokenCredential>() : null;
                return TableStorageClients.Create(options, credential, sp.GetRequiredService<StorageHealth>(), clientOptions);
            })

            // Microsoft.Extensions.Azure hands every client factory a credential, by default a DefaultAzureCredential of its
            // own built when the client is (its pipeline, MSAL), even when nothing uses it. The factory above resolves the
            // app's credential itself when it needs one; this one is never asked for a token.
            .WithCredential(_ => UnusedCredential.Instance);
        });
        return services;
    }

    /// <summary>
    /// Counts the storage client's requests per unit of work (<see cref="StorageRoundTrips"/>): a diagnostic, off unless
    /// the host registers it (call before the client is first resolved). Nothing else changes: the wire is the same.
    /// </summary>
    public static IServiceCollection AddStorageRoundTrips(this IServiceCollection services)
    {
        services.TryAddSingleton<StorageRoundTrips>();
        return services;
    }

    /// <summary>
    /// Registers the Table Storage order store (<see cref="IOrderStore"/>, <see cref="IOrderQueries"/>), its outbox
    /// (<see cref="IOutboxReader"/>: <see cref="TableOutbox"/>), lookups (<see cref="IOrderLookups"/>) and the webhook delivery log
    /// (<see cref="TableWebhookDeliveries"/>) as singletons, plus <see cref="AddTableStorage"/>. Table names come from
    /// <c>Storage:OrdersTable</c> / <c>Storage:LookupsTable</c> / <c>Storage:WebhookDeliveriesTable</c> (default
    /// <c>orders</c> / <c>orderlookups</c> / <c>webhookdeliveries</c>); the tables are created on first use.
    /// </summary>
    public static IServiceCollection AddOrderStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTableStorage(configuration);
        services.AddOptions<OrderStorageOptions>()
            .Bind(configuration.GetSection(TableStorageOptions.SectionName))
            .Validate(o => IsValidTableName(o.OrdersTable) && IsValidTableName(o.LookupsTable) && IsValidTableName(o.WebhookDeliveriesTable),
                "Storage:OrdersTable, Storage:LookupsTable and Storage:WebhookDeliveriesTable must be 3-63 letters and digits, starting with a letter.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new TableOrderStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<OrderStorageOptions>>().Value));
        services.TryAddSingleton(sp => new TableOrderLookups(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<OrderStorageOptions>>().Value));
        services.TryAddSingleton<IOrderStore>(sp => sp.GetRequiredService<TableOrderStore>());
        services.TryAddSingleton<IOutboxReader>(sp => new TableOutbox(sp.GetRequiredService<TableOrderStore>()));
        services.TryAddSingleton<IOrderQueries>(sp => sp.GetRequiredService<TableOrderStore>());
        services.TryAddSingleton(sp => new TableWebhookDeliveries(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<OrderStorageOptions>>().Value,
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IOrderLookups>(sp => sp.GetRequiredService<TableOrderLookups>());
        return services;
    }

    /// <summary>What Microsoft.Extensions.Azure is given for the table client, whose factory picks its own credential.</summary>
    private sealed class UnusedCredential : TokenCredential
    {
        public static readonly UnusedCredential Instance = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The table client's credential is chosen by its factory; this one is never used.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The table client's credential is chosen by its factory; this one is never used.");
    }

    private static bool IsValidTableName(string name)
    {
        try
        {
            TableNames.ValidateTableName(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
