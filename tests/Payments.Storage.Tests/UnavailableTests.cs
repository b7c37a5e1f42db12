using System.Net;
using System.Net.Sockets;
using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

/// <summary>
/// <see cref="TableStorageException.IsStorageUnavailable"/>: the one classification the host maps to
/// <c>503 storage-unavailable</c>. Outages are; answers about the request itself are not.
/// </summary>
public sealed class UnavailableTests
{
    [Fact]
    public async Task A_refused_connection_after_the_retries_is_storage_unavailable()
    {
        // A loopback port nobody listens on: the real "Azurite is stopped" failure.
        var port = ClosedPort();
        var client = new TableServiceClient(
            new TableStorageOptions
            {
                ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={StorageConnectionString.DevelopmentAccountName};"
                    + $"AccountKey={StorageConnectionString.DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:{port}/{StorageConnectionString.DevelopmentAccountName};",
                MaxRetryAttempts = 1,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            },
            new HttpClient());

        Assert.False(client.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        var ex = await Assert.ThrowsAsync<TableStorageException>(() => client.GetTableClient("orders").GetEntityAsync("p", "r"));

        Assert.True(client.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        Assert.True(ex.IsUnavailable);
        Assert.True(TableStorageException.IsStorageUnavailable(ex));
        Assert.True(TableStorageException.IsStorageUnavailable(new InvalidOperationException("wrapped", ex)));
        Assert.True(TableStorageException.IsStorageUnavailable(new AggregateException(ex)));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_transient_status_that_outlasts_the_retries_is_storage_unavailable(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(status));
        var table = ScriptedHandler.Client(handler, retries: 1).GetTableClient("orders");

        var ex = await Assert.ThrowsAsync<TableStorageException>(() => table.GetEntityAsync("p", "r"));

        Assert.True(TableStorageException.IsStorageUnavailable(ex));
    }

    [Fact]
    public async Task An_attempt_that_never_answers_is_storage_unavailable()
    {
        var client = new TableServiceClient(
            new TableStorageOptions
            {
                ConnectionString = "UseDevelopmentStorage=true",
                MaxRetryAttempts = 0,
                AttemptTimeout = TimeSpan.FromMilliseconds(100),
            },
            new HttpClient(new NeverAnswers()));

        var ex = await Assert.ThrowsAsync<TableStorageException>(() => client.GetTableClient("orders").GetEntityAsync("p", "r"));

        Assert.True(TableStorageException.IsStorageUnavailable(ex));
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.PreconditionFailed)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task An_answer_about_the_request_is_not_storage_unavailable(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(status, """{"odata.error":{"code":"X","message":{"value":"no"}}}"""));

        var client = ScriptedHandler.Client(handler);
        var ex = await Assert.ThrowsAsync<TableStorageException>(() => client.GetTableClient("orders").UpdateEntityAsync(new TableEntity("p", "r"), "W/\"1\"", TableUpdateMode.Replace));

        Assert.False(TableStorageException.IsStorageUnavailable(ex));
        Assert.False(client.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public void A_malformed_answer_or_another_failure_is_not_storage_unavailable()
    {
        Assert.False(TableStorageException.IsStorageUnavailable(new TableStorageException("The $batch response has no multipart boundary.")));
        Assert.False(TableStorageException.IsStorageUnavailable(new InvalidOperationException("bug")));
        Assert.False(TableStorageException.IsStorageUnavailable(null));
    }

    private sealed class NeverAnswers : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
