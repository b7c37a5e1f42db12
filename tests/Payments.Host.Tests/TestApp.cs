using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Storage.Tables;
using Payments.Testing;

namespace Payments.Host.Tests;

[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

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
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(baseUrl) };
    }

    public WebApplication App { get; }
    public string BaseUrl { get; }
    public string OrdersTable { get; }
    public string LookupsTable { get; }
    public TableServiceClient Tables { get; }

    /// <summary>A client that does not follow redirects, like a test of what the browser is told.</summary>
    public HttpClient Client { get; }

    public static async Task<TestApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var orders = AzuriteFixture.UniqueTableName("orders");
        var lookups = AzuriteFixture.UniqueTableName("lookups");
        var config = new Dictionary<string, string?>
        {
            ["urls"] = baseUrl,
            ["PublicBaseUrl"] = baseUrl,
            ["Storage:ConnectionString"] = azurite.ConnectionString,
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

        var app = PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(config));
        await app.StartAsync();
        return new TestApp(app, baseUrl, orders, lookups, azurite.CreateServiceClient());
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Every row in the order and lookup tables (none when a table was never created).</summary>
    public async Task<List<TableEntity>> AllRowsAsync()
    {
        var rows = new List<TableEntity>();
        foreach (var table in new[] { OrdersTable, LookupsTable })
        {
            try
            {
                await foreach (var e in Tables.GetTableClient(table).QueryAsync())
                {
                    rows.Add(e);
                }
            }
            catch (TableStorageException ex) when (ex.IsNotFound)
            {
            }
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
