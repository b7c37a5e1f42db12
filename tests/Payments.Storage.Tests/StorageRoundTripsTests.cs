using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Payments.Storage.Tests;

/// <summary>The round-trip counter on the app's storage client: every attempt counted, attributed to the scope it ran under.</summary>
public sealed class StorageRoundTripsTests
{
    [Fact]
    public async Task Every_attempt_is_counted_to_its_scope_including_retries_and_work_started_after_the_response()
    {
        // A 503 and its retry, then 404s: each is one request on the wire.
        var handler = new ScriptedHandler(
            _ => ScriptedHandler.Status(HttpStatusCode.ServiceUnavailable),
            _ => ScriptedHandler.Status(HttpStatusCode.NotFound));
        using var provider = Services(handler, counted: true);
        var roundTrips = provider.GetRequiredService<StorageRoundTrips>();
        var table = provider.GetRequiredService<TableServiceClient>().GetTableClient("orders");

        Task background = Task.CompletedTask;
        long beforeResponse = 0;
        async Task RequestAsync()
        {
            var scope = roundTrips.Begin("ShopperReturn");
            await table.GetEntityIfExistsAsync<TableEntity>("p", "r1");
            beforeResponse = scope.MarkResponded();

            // Started by the request, not awaited by it: still the request's work.
            background = Task.Run(() => table.GetEntityIfExistsAsync<TableEntity>("p", "r2"));
        }

        await RequestAsync();
        await background;
        await table.GetEntityIfExistsAsync<TableEntity>("p", "outside");

        Assert.Equal(2, beforeResponse);
        var snapshot = roundTrips.Snapshot();
        Assert.Equal(new RoundTripCounts(Scopes: 1, Responded: 1, BeforeResponse: 2, Total: 3), snapshot.Kinds["ShopperReturn"]);
        Assert.Equal(1, snapshot.Unattributed);
        Assert.Null(StorageRoundTrips.Current);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public void Without_the_diagnostic_nothing_is_registered_or_added_to_the_pipeline()
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(HttpStatusCode.NotFound));
        using var provider = Services(handler, counted: false);

        Assert.Null(provider.GetService<StorageRoundTrips>());
        Assert.NotNull(provider.GetRequiredService<TableServiceClient>());
    }

    [Fact]
    public void Old_scopes_are_folded_into_their_kinds_total_so_the_counter_stays_bounded()
    {
        var roundTrips = new StorageRoundTrips();
        for (var i = 0; i < StorageRoundTrips.ScopesPerKind + 10; i++)
        {
            var scope = roundTrips.Begin("CreateOrder");
            Interlocked.Increment(ref scope.CountField);
            scope.MarkResponded();
        }

        var counts = roundTrips.Snapshot().Kinds["CreateOrder"];
        Assert.Equal(StorageRoundTrips.ScopesPerKind + 10, counts.Scopes);
        Assert.Equal(StorageRoundTrips.ScopesPerKind + 10, counts.BeforeResponse);
        Assert.Equal(StorageRoundTrips.ScopesPerKind + 10, counts.Total);
    }

    private static ServiceProvider Services(ScriptedHandler handler, bool counted)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Storage:RetryBaseDelay"] = "00:00:00.001",
            ["Storage:RetryMaxDelay"] = "00:00:00.005",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (counted)
        {
            services.AddStorageRoundTrips();
        }

        services.AddOrderStorage(configuration);
        services.Configure<TableClientOptions>("Default", o => o.Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(handler)));
        return services.BuildServiceProvider();
    }
}
