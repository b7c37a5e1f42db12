using System.Net.Sockets;
using Azure;

namespace Payments.Storage.Tests;

/// <summary>
/// <see cref="StorageFailures.IsUnavailable"/>: the one classification the host maps to
/// <c>503 storage-unavailable</c>, over what the Azure Tables SDK throws. Outages are; answers about the request
/// itself, malformed answers and the caller's own cancellation are not. <see cref="StorageHealth"/> sees the attempts.
/// </summary>
public sealed class UnavailableTests
{
    [Fact]
    public async Task A_refused_connection_after_the_retries_is_storage_unavailable()
    {
        // A loopback port nobody listens on: the real "Azurite is stopped" failure.
        var port = ClosedPort();
        var health = new StorageHealth();
        var client = TableStorageClients.Create(
            new TableStorageOptions
            {
                ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.DevelopmentAccountName};"
                    + $"AccountKey={AzuriteFixture.DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:{port}/{AzuriteFixture.DevelopmentAccountName};",
                MaxRetryAttempts = 1,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            },
            health: health);

        Assert.False(health.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetTableClient("orders").GetEntityIfExistsAsync<TableEntity>("p", "r"));

        Assert.True(health.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        Assert.True(StorageFailures.IsUnavailable(ex), ex.ToString());
        Assert.True(StorageFailures.IsUnavailable(new InvalidOperationException("wrapped", ex)));
        Assert.True(StorageFailures.IsUnavailable(new AggregateException(ex)));
        Assert.True(StorageFailures.IsUnavailable(new RequestFailedException("no answer", new HttpRequestException("refused"))));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_transient_status_that_outlasts_the_retries_is_storage_unavailable(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(status));
        var health = new StorageHealth();
        var table = ScriptedHandler.Client(handler, retries: 1, health).GetTableClient("orders");

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityIfExistsAsync<TableEntity>("p", "r"));

        Assert.Equal((int)status, ex.Status);
        Assert.True(StorageFailures.IsUnavailable(ex));
        Assert.True(health.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task An_attempt_that_never_answers_is_storage_unavailable()
    {
        var health = new StorageHealth();
        var client = ScriptedHandler.Client(new NeverAnswers(), health: health, options: new TableStorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            MaxRetryAttempts = 0,
            AttemptTimeout = TimeSpan.FromMilliseconds(100),
        });

        // Not an OperationCanceledException (nobody cancelled): callers that let cancellations through must see an outage.
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetTableClient("orders").GetEntityIfExistsAsync<TableEntity>("p", "r"));

        Assert.Equal(0, ex.Status);
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.True(StorageFailures.IsUnavailable(ex));
        Assert.True(health.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Attempts_that_never_answer_after_the_retries_are_storage_unavailable_not_a_cancellation()
    {
        var client = ScriptedHandler.Client(new NeverAnswers(), options: new TableStorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            MaxRetryAttempts = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromMilliseconds(100),
        });

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetTableClient("orders").GetEntityIfExistsAsync<TableEntity>("p", "r"));

        Assert.IsNotAssignableFrom<OperationCanceledException>(ex);
        Assert.True(StorageFailures.IsUnavailable(ex), ex.ToString());
    }

    [Fact]
    public async Task The_callers_own_cancellation_is_not_storage_unavailable()
    {
        var health = new StorageHealth();
        var client = ScriptedHandler.Client(new NeverAnswers(), health: health);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.GetTableClient("orders").GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: cts.Token));

        Assert.False(StorageFailures.IsUnavailable(ex));
        Assert.False(health.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.PreconditionFailed)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task An_answer_about_the_request_is_not_storage_unavailable(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(status, """{"odata.error":{"code":"X","message":{"value":"no"}}}"""));

        var health = new StorageHealth();
        var client = ScriptedHandler.Client(handler, health: health);
        var ex = await Assert.ThrowsAsync<RequestFailedException>(
            () => client.GetTableClient("orders").UpdateEntityAsync(new TableEntity("p", "r"), new ETag("W/\"1\""), TableUpdateMode.Replace));

        Assert.Equal((int)status, ex.Status);
        Assert.False(StorageFailures.IsUnavailable(ex));
        Assert.False(health.WasUnavailableWithin(TimeSpan.FromMinutes(1)));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_malformed_answer_or_another_failure_is_not_storage_unavailable()
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(HttpStatusCode.OK, "{not json"));
        var client = ScriptedHandler.Client(handler);
        var malformed = await Assert.ThrowsAnyAsync<Exception>(() => client.GetTableClient("orders").GetEntityIfExistsAsync<TableEntity>("p", "r"));

        Assert.False(StorageFailures.IsUnavailable(malformed), malformed.ToString());
        Assert.False(StorageFailures.IsUnavailable(new RequestFailedException("The answer could not be read.")));
        Assert.False(StorageFailures.IsUnavailable(new RequestFailedException(400, "bad")));
        Assert.False(StorageFailures.IsUnavailable(new AggregateException(new RequestFailedException(503, "busy"), new InvalidOperationException("bug"))));
        Assert.False(StorageFailures.IsUnavailable(new InvalidOperationException("bug")));
        Assert.False(StorageFailures.IsUnavailable(null));
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
