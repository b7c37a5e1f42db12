using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Azure.Core;
using Payments.Messaging.ServiceBus;

namespace Payments.Messaging.Tests.ServiceBus;

public sealed class ServiceBusRestSenderTests : IAsyncLifetime
{
    private FakeServiceBus _bus = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _bus = await FakeServiceBus.StartAsync();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _bus.DisposeAsync();
    }

    private ServiceBusRestSender Sender(int retries = 3, TimeSpan? attemptTimeout = null)
    {
        var options = new ServiceBusOptions
        {
            ConnectionString = _bus.ConnectionString,
            MaxRetryAttempts = retries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
        };
        var connection = ServiceBusConnection.Parse(options.ConnectionString);
        return new ServiceBusRestSender(connection.Endpoint, new SasTokenProvider(connection.SharedAccessKeyName, connection.SharedAccessKey), _http, options);
    }

    [Fact]
    public async Task Single_send_follows_the_documented_protocol()
    {
        var message = OutgoingMessage.FromJson(new { orderId = "ord_1", status = "succeeded" }) with
        {
            MessageId = "evt_0192",
            CorrelationId = "ord_1",
            Subject = "order.status_changed",
            ScheduledEnqueueTimeUtc = new DateTimeOffset(2030, 1, 2, 4, 4, 5, TimeSpan.FromHours(1)),
            TimeToLive = TimeSpan.FromHours(1),
        };
        message.ApplicationProperties["event-type"] = "order.status_changed";
        message.ApplicationProperties["order-id"] = "ord_1";

        await Sender().SendAsync("payment-events", message);

        Assert.Empty(_bus.Violations);
        var request = Assert.Single(_bus.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/payment-events/messages", request.Path);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(message.Body.ToArray(), request.Body);
        Assert.Equal("\"order.status_changed\"", request.Header("event-type"));
        Assert.Equal("\"ord_1\"", request.Header("order-id"));

        using var broker = JsonDocument.Parse(request.Header("BrokerProperties")!);
        var properties = broker.RootElement;
        Assert.Equal("evt_0192", properties.GetProperty("MessageId").GetString());
        Assert.Equal("ord_1", properties.GetProperty("CorrelationId").GetString());
        Assert.Equal("order.status_changed", properties.GetProperty("Label").GetString());
        Assert.Equal("Wed, 02 Jan 2030 03:04:05 GMT", properties.GetProperty("ScheduledEnqueueTimeUtc").GetString());
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
            DateTimeOffset.ParseExact(properties.GetProperty("ScheduledEnqueueTimeUtc").GetString()!, "r", CultureInfo.InvariantCulture));
        Assert.Equal(3600, properties.GetProperty("TimeToLive").GetDouble());
    }

    [Fact]
    public async Task Batch_send_is_a_JSON_array_with_the_exact_content_type()
    {
        var text = OutgoingMessage.FromText("{\"n\":1}") with { MessageId = "m-1" };
        text.ApplicationProperties["kind"] = "upsell";
        var binary = new OutgoingMessage(new byte[] { 0, 1, 2, 255 })
        {
            MessageId = "m-2",
            ScheduledEnqueueTimeUtc = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
            TimeToLive = TimeSpan.FromSeconds(40),
        };

        await Sender().SendBatchAsync("payment-charges", [text, binary]);

        Assert.Empty(_bus.Violations);
        var request = Assert.Single(_bus.Requests);
        Assert.Equal("/payment-charges/messages", request.Path);
        Assert.Equal("application/vnd.microsoft.servicebus.json", request.ContentType);
        Assert.Null(request.Header("BrokerProperties"));
        Assert.Null(request.Header("kind"));
        using var body = JsonDocument.Parse(request.Body);
        var items = body.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("{\"n\":1}", items[0].GetProperty("Body").GetString());
        Assert.Equal("m-1", items[0].GetProperty("BrokerProperties").GetProperty("MessageId").GetString());
        Assert.Equal("upsell", items[0].GetProperty("UserProperties").GetProperty("kind").GetString());
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 2, 255 }), items[1].GetProperty("Body").GetString());
        Assert.True(items[1].GetProperty("IsBodyBase64").GetBoolean());
        var broker = items[1].GetProperty("BrokerProperties");
        Assert.Equal("Wed, 02 Jan 2030 03:04:05 GMT", broker.GetProperty("ScheduledEnqueueTimeUtc").GetString());
        Assert.Equal("00:00:40", broker.GetProperty("TimeToLiveTimeSpan").GetString());
        Assert.Equal(40, broker.GetProperty("TimeToLive").GetDouble());
        Assert.False(items[1].TryGetProperty("UserProperties", out _));
    }

    [Fact]
    public async Task An_empty_batch_sends_nothing()
    {
        await Sender().SendBatchAsync("payment-charges", []);

        Assert.Empty(_bus.Requests);
    }

    [Fact]
    public async Task Retries_on_503_until_201()
    {
        _bus.Script = attempt => attempt <= 2 ? (503, TimeSpan.Zero, null) : null;

        await Sender(retries: 3).SendAsync("payment-events", OutgoingMessage.FromText("x"));

        Assert.Equal(3, _bus.Requests.Count);
        Assert.Empty(_bus.Violations);
    }

    [Fact]
    public async Task Retries_a_timed_out_attempt()
    {
        // The first answer would come after ten minutes; the attempt gives up after 2 s and the retry gets 201.
        // (The send completing at all proves the first attempt was abandoned: its answer never comes in the test's life.)
        _bus.Script = attempt => attempt == 1 ? (201, TimeSpan.FromMinutes(10), null) : null;

        await Sender(retries: 3, attemptTimeout: TimeSpan.FromSeconds(2)).SendAsync("payment-events", OutgoingMessage.FromText("x"));

        Assert.InRange(_bus.Requests.Count, 2, 4);
    }

    [Fact]
    public async Task Final_failure_is_typed_counts_attempts_and_leaks_no_secret()
    {
        _bus.Script = _ => (503, TimeSpan.Zero, $"<Error><Code>503</Code><Detail>busy; token sig=LEAKEDSIG&se=1 SharedAccessKey={FakeServiceBus.Key}</Detail></Error>");

        var ex = await Assert.ThrowsAsync<MessageSendException>(() => Sender(retries: 2).SendAsync("payment-events", OutgoingMessage.FromText("x")));

        Assert.Equal(3, _bus.Requests.Count);
        Assert.Equal(3, ex.Attempts);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Equal("payment-events", ex.EntityPath);
        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeServiceBus.Key, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("LEAKEDSIG", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessSignature", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_failures_are_not_retried()
    {
        _bus.Script = _ => (401, TimeSpan.Zero, "<Error><Code>401</Code><Detail>InvalidSignature</Detail></Error>");

        var ex = await Assert.ThrowsAsync<MessageSendException>(() => Sender().SendAsync("payment-events", OutgoingMessage.FromText("x")));

        Assert.Single(_bus.Requests);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.False(ex.IsTransient);
        Assert.DoesNotContain(FakeServiceBus.Key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_by_the_checking_endpoint()
    {
        var sender = new ServiceBusRestSender(_bus.Endpoint, new SasTokenProvider(FakeServiceBus.KeyName, "wrong-key"), _http,
            new ServiceBusOptions { MaxRetryAttempts = 0 });

        var ex = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendAsync("payment-events", OutgoingMessage.FromText("x")));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("signature mismatch", Assert.Single(_bus.Violations));
    }

    [Fact]
    public async Task Network_errors_are_retried_then_reported_as_transient()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: connections are refused
        var sender = new ServiceBusRestSender(new Uri($"http://127.0.0.1:{port}/"), new SasTokenProvider("k", FakeServiceBus.Key), _http,
            new ServiceBusOptions { MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });

        var ex = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendAsync("payment-events", OutgoingMessage.FromText("x")));

        Assert.Equal(3, ex.Attempts);
        Assert.True(ex.IsTransient);
        Assert.Null(ex.StatusCode);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task Entra_tokens_are_requested_for_the_Service_Bus_scope_and_cached()
    {
        _bus.ExpectedBearer = "entra-token-1";
        var credential = new CountingCredential("entra-token-1");
        using var tokens = new EntraTokenProvider(credential);
        var sender = new ServiceBusRestSender(_bus.Endpoint, tokens, _http);

        await sender.SendAsync("payment-events", OutgoingMessage.FromText("a"));
        await sender.SendAsync("payment-charges", OutgoingMessage.FromText("b"));

        Assert.Empty(_bus.Violations);
        Assert.Equal(2, _bus.Requests.Count);
        Assert.Equal(1, credential.Calls);
        Assert.Equal(["https://servicebus.azure.net/.default"], credential.Scopes);
    }

    [Theory]
    [InlineData("naïve", "v")]
    [InlineData("ok", "line\nbreak")]
    [InlineData("ok", "has \"quotes\"")]
    [InlineData("Authorization", "v")]
    [InlineData("BrokerProperties", "v")]
    [InlineData("has space", "v")]
    public async Task Properties_that_cannot_be_headers_are_refused_before_sending(string name, string value)
    {
        var message = OutgoingMessage.FromText("x");
        message.ApplicationProperties[name] = value;

        await Assert.ThrowsAsync<ArgumentException>(() => Sender().SendAsync("payment-events", message));
        Assert.Empty(_bus.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/../b")]
    [InlineData("q?x=1")]
    [InlineData("/lead")]
    public async Task Bad_entity_paths_are_refused(string entity)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Sender().SendAsync(entity, OutgoingMessage.FromText("x")));
    }

    private sealed class CountingCredential(string token) : TokenCredential
    {
        public int Calls { get; private set; }

        public string[] Scopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            Scopes = requestContext.Scopes;
            return ValueTask.FromResult(new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1)));
        }
    }
}
