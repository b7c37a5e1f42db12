using System.Net;
using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

public sealed class RetryTests
{
    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task Transient_statuses_are_retried_with_a_freshly_signed_request(HttpStatusCode transient)
    {
        var handler = new ScriptedHandler(
            _ => ScriptedHandler.Status(transient),
            _ => ScriptedHandler.Status(transient),
            _ => ScriptedHandler.Status(HttpStatusCode.OK, """{"PartitionKey":"p","RowKey":"r","V":1}"""));
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");

        var entity = await table.GetEntityAsync("p", "r");

        Assert.Equal(1, entity!.GetInt32("V"));
        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.StartsWith("SharedKeyLite devstoreaccount1:", r.Authorization, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Network_errors_are_retried()
    {
        var calls = 0;
        var handler = new ScriptedHandler(_ => ++calls < 3
            ? throw new HttpRequestException("connection refused", null, HttpStatusCode.ServiceUnavailable)
            : ScriptedHandler.Status(HttpStatusCode.NotFound));
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");

        Assert.Null(await table.GetEntityAsync("p", "r"));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Conflicts_and_precondition_failures_are_not_retried()
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(
            HttpStatusCode.Conflict,
            """{"odata.error":{"code":"EntityAlreadyExists","message":{"lang":"en-US","value":"The specified entity already exists."}}}"""));
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");

        var ex = await Assert.ThrowsAsync<TableStorageException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.True(ex.IsConflict);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Persistent_transient_failures_surface_as_a_table_storage_exception_after_the_retries()
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(HttpStatusCode.ServiceUnavailable));
        var table = ScriptedHandler.Client(handler, retries: 2).GetTableClient("orders");

        var ex = await Assert.ThrowsAsync<TableStorageException>(() => table.UpsertEntityAsync(new TableEntity("p", "r"), TableUpdateMode.Merge));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_is_retried()
    {
        var calls = 0;
        var handler = new SlowThenFastHandler(() => Interlocked.Increment(ref calls));
        var client = new TableServiceClient(
            new TableStorageOptions
            {
                ConnectionString = "UseDevelopmentStorage=true",
                MaxRetryAttempts = 2,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(5),
                AttemptTimeout = TimeSpan.FromMilliseconds(200),
            },
            new HttpClient(handler));

        Assert.Null(await client.GetTableClient("orders").GetEntityAsync("p", "r"));
        Assert.Equal(2, calls);
    }

    private sealed class SlowThenFastHandler(Func<int> count) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (count() == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }
}
