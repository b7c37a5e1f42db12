using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Payments.Host.Events;
using Payments.Messaging.InProcess;
using Payments.Storage.Tables;
using Payments.Storage.Orders;

namespace Payments.Host.Tests;

/// <summary>
/// The real handler on a real Kestrel port, with the sandbox on and fresh tables in the shared Azurite.
/// One per test: nothing is shared between tests but the Azurite process.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string SigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string Shop = "https://shop.example";

    private TestApp(WebApplication app, string baseUrl, string ordersTable, string lookupsTable, TableServiceClient tables)
    {
        App = app;
        BaseUrl = baseUrl;
        OrdersTable = ordersTable;
        LookupsTable = lookupsTable;
        Tables = tables;
        Client = new HttpClient(new Contract.ContractRecorder(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })) { BaseAddress = new Uri(baseUrl) };
        Api = new PaymentsApiClient(Client, app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
    }

    public WebApplication App { get; }
    public string BaseUrl { get; }
    public string OrdersTable { get; }
    public string LookupsTable { get; }
    public string DeliveriesTable { get; private init; } = string.Empty;
    public TableServiceClient Tables { get; }

    /// <summary>
    /// A client that does not follow redirects, like a test of what the browser is told. Every response it receives to an operation
    /// of openapi/payments-v1.json is checked against that document (<see cref="Contract.ContractRecorder"/>).
    /// </summary>
    public HttpClient Client { get; }

    /// <summary>The API as a storefront calls it, with typed answers; through <see cref="Client"/>, so the contract recorder sees it all.</summary>
    public PaymentsApiClient Api { get; }

    public static Task<TestApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null) =>
        StartAsync(azurite.ConnectionString, azurite.CreateServiceClient(), settings, services);

    /// <summary>The app on a <see cref="RestartableAzurite"/> (a storage outage can be played by stopping it).</summary>
    public static Task<TestApp> StartAsync(RestartableAzurite azurite, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null) =>
        StartAsync(azurite.ConnectionString, TableStorageClients.Create(azurite.CreateOptions()), settings, services);

    private static async Task<TestApp> StartAsync(string connectionString, TableServiceClient tables, IDictionary<string, string?>? settings,
        Action<IServiceCollection>? services)
    {
        var port = LoopbackPorts.Free();
        var baseUrl = $"http://127.0.0.1:{port}";
        var orders = AzuriteFixture.UniqueTableName("orders");
        var lookups = AzuriteFixture.UniqueTableName("lookups");
        var config = new Dictionary<string, string?>
        {
            ["urls"] = baseUrl,
            ["PublicBaseUrl"] = baseUrl,
            ["Storage:ConnectionString"] = connectionString,
            ["Storage:OrdersTable"] = orders,
            ["Storage:LookupsTable"] = lookups,
            ["Storage:WebhookDeliveriesTable"] = AzuriteFixture.UniqueTableName("deliveries"),

            // Deterministic: nothing runs in the background; tests run the bus and the timers themselves.
            ["Timers:Enabled"] = "false",
            ["ServiceBus:InProcess:Pump"] = "false",
            ["Security:SigningKey"] = SigningKey,
            ["Security:AllowedRedirectOrigins:0"] = Shop,
            ["Sandbox:Enabled"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            config[k] = v;
        }

        // A test may pick the port itself (under the Functions host the app listens on FUNCTIONS_CUSTOMHANDLER_PORT).
        baseUrl = config["urls"] ?? baseUrl;

        // Services registered here come first: the app's TryAdd registrations (TimeProvider, IMessageSender) then keep them.
        var app = PaymentsApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        return new TestApp(app, baseUrl, config["Storage:OrdersTable"]!, config["Storage:LookupsTable"]!, tables)
        {
            DeliveriesTable = config["Storage:WebhookDeliveriesTable"]!,
        };
    }

    /// <summary>
    /// Settings that start another app on this app's tables, as a restart of the app (not of Azurite) does: the tables
    /// keep what they have, everything in memory (the sandboxes among it) starts afresh.
    /// </summary>
    public Dictionary<string, string?> SameTables(IDictionary<string, string?>? settings = null)
    {
        var same = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Storage:OrdersTable"] = OrdersTable,
            ["Storage:LookupsTable"] = LookupsTable,
            ["Storage:WebhookDeliveriesTable"] = DeliveriesTable,
        };
        return same;
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The in-process Service Bus (no pump in tests: <see cref="DrainBusAsync"/> delivers).</summary>
    public InProcessBus Bus => Service<InProcessBus>();

    /// <summary>
    /// Waits until every committed change has been published (the publish after a commit runs in the background, off the
    /// request's path: <see cref="CommitPublishQueue"/>), so that a test sees what it sent, and a sweep it runs next does not
    /// race it. Each publish bounds itself (<see cref="OutboxDispatcher.ImmediateTimeout"/>).
    /// </summary>
    public async Task WhenPublishedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Service<CommitPublishQueue>().WhenIdleAsync(timeout.Token);
    }

    /// <summary>Delivers every due message, and what those deliveries send, until nothing is due. Returns the deliveries made.</summary>
    public async Task<int> DrainBusAsync()
    {
        var total = 0;
        int delivered;
        await WhenPublishedAsync();
        while ((delivered = await Bus.ProcessDueAsync()) > 0)
        {
            total += delivered;
            await WhenPublishedAsync();
        }

        return total;
    }

    /// <summary>Runs a timer function once, as its trigger would (in its own scope), after what was committed is published, and waits for what it publishes.</summary>
    public async Task RunTimerAsync(string functionName)
    {
        var timer = App.Services.GetServices<TimerFunction>().Single(t => t.FunctionName == functionName);
        await WhenPublishedAsync();
        await using var scope = App.Services.CreateAsyncScope();
        try
        {
            await timer.Run(scope.ServiceProvider, CancellationToken.None);
        }
        finally
        {
            await WhenPublishedAsync();
        }
    }

    /// <summary>Delivers a message to a Service Bus function's handler directly, as a (re)delivery would, and waits for what it publishes.</summary>
    public async Task<HandlerResult> DeliverAsync(string functionName, ReceivedMessage message)
    {
        await WhenPublishedAsync();
        await using var scope = App.Services.CreateAsyncScope();
        try
        {
            return await scope.ServiceProvider.GetRequiredKeyedService<IMessageHandler>(functionName).HandleAsync(message, CancellationToken.None);
        }
        finally
        {
            await WhenPublishedAsync();
        }
    }

    /// <summary>
    /// Every row of orders, their events and lookups (none when a table was never created). The outbox's bookkeeping is left
    /// out: its checkpoint and its records of what was published (<see cref="TableOutbox"/>) are written in the background by
    /// the sweep and the publisher, after whatever a request committed, never by a request itself.
    /// </summary>
    public async Task<List<TableEntity>> AllRowsAsync()
    {
        var rows = new List<TableEntity>();
        foreach (var table in new[] { OrdersTable, LookupsTable })
        {
            try
            {
                await foreach (var e in Tables.GetTableClient(table).QueryAsync<TableEntity>())
                {
                    if (e.PartitionKey is not (TableOutbox.CheckpointPartition or TableOutbox.SentPartition))
                    {
                        rows.Add(e);
                    }
                }
            }
            catch (RequestFailedException ex) when (ex.IsNotFound())
            {
            }
        }

        return rows;
    }

    /// <summary>Every row's ETag by key: two equal answers mean nothing was written in between.</summary>
    public async Task<Dictionary<(string PartitionKey, string RowKey), string?>> RowVersionsAsync() =>
        (await AllRowsAsync()).ToDictionary(r => (r.PartitionKey, r.RowKey), r => (string?)r.ETag.ToString());

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
