using System.Security.Cryptography;

namespace Payments.Messaging.Tests.Webhooks;

/// <summary>The whole fan-out on the in-process bus: event → one job per endpoint → attempts → scheduled retries → recorded failures.</summary>
public sealed class WebhookFanOutTests : IAsyncLifetime
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Id, string Body, bool Verified)>> _hits = new();
    private readonly FakeTimeProvider _clock = new();
    private LocalServer _storefront = null!;

    public async Task InitializeAsync()
    {
        _storefront = await LocalServer.StartAsync(app => app.MapPost("/hooks/{name}", async (HttpContext context, string name) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            var id = context.Request.Headers["webhook-id"].ToString();
            using var hmac = new HMACSHA256(Key);
            var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{id}.{context.Request.Headers["webhook-timestamp"]}.{body}")));
            var queue = _hits.GetOrAdd(name, _ => new());
            queue.Enqueue((id, body, context.Request.Headers["webhook-signature"].ToString() == expected));
            context.Response.StatusCode = name switch
            {
                "flaky" => queue.Count <= 2 ? 503 : 200,
                "gone" => 410,
                _ => 500,
            };
        }));
    }

    public async Task DisposeAsync() => await _storefront.DisposeAsync();

    [Fact]
    public async Task Events_reach_every_endpoint_with_scheduled_retries_and_failures_recorded()
    {
        var recorder = new CapturingRecorder();
        var secret = WebhookSecret.FromKey(Key).Serialize();
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Endpoints:0:Name"] = "flaky",
            ["Webhooks:Endpoints:0:Url"] = new Uri(_storefront.BaseAddress, "hooks/flaky").AbsoluteUri,
            ["Webhooks:Endpoints:0:Secret"] = secret,
            ["Webhooks:Endpoints:1:Name"] = "gone",
            ["Webhooks:Endpoints:1:Url"] = new Uri(_storefront.BaseAddress, "hooks/gone").AbsoluteUri,
            ["Webhooks:Endpoints:1:Secret"] = secret,
            ["Webhooks:Endpoints:2:Name"] = "down",
            ["Webhooks:Endpoints:2:Url"] = new Uri(_storefront.BaseAddress, "hooks/down").AbsoluteUri,
            ["Webhooks:Endpoints:2:Secret"] = secret,
            ["Webhooks:RetryDelays:0"] = "00:00:10",
            ["Webhooks:RetryDelays:1"] = "00:01:00",
        };
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IWebhookFailureRecorder>(recorder);
        services.AddMessaging(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddWebhookFanOut();
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<InProcessBus>();
        var evt = new PaymentEvent("evt_0001", PaymentEvent.StatusChanged, "ord_1", "SO-1001", "next", PaymentStatus.Pending, PaymentStatus.Succeeded,
            _clock.GetUtcNow(), new OrderSummary("49.90", "CHF", "NEXT-1", null));
        var message = OutgoingMessage.FromJson(evt) with { MessageId = evt.EventId };

        await bus.SendAsync(MessagingEntities.PaymentEvents, message);
        await bus.ProcessDueAsync();
        Assert.Single(_hits["flaky"]);
        Assert.Single(_hits["gone"]);
        Assert.Single(_hits["down"]);
        var gone = Assert.Single(recorder.Failures);
        Assert.Equal(("gone", 1, WebhookDeliveryOutcome.PermanentFailure, (int?)410), (gone.Endpoint, gone.Attempts, gone.Outcome, gone.StatusCode));

        _clock.Advance(TimeSpan.FromSeconds(9));
        await bus.ProcessDueAsync();
        Assert.Single(_hits["flaky"]);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await bus.ProcessDueAsync();
        Assert.Equal(2, _hits["flaky"].Count);
        Assert.Equal(2, _hits["down"].Count);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await bus.ProcessDueAsync();
        Assert.Equal(3, _hits["flaky"].Count);
        Assert.Equal(3, _hits["down"].Count);
        Assert.Equal(2, recorder.Failures.Count);
        var down = recorder.Failures.Single(f => f.Endpoint == "down");
        Assert.Equal((3, WebhookDeliveryOutcome.RetryableFailure, (int?)500), (down.Attempts, down.Outcome, down.StatusCode));

        // Every attempt was signed for the event id and carried the same payload.
        var all = _hits.Values.SelectMany(q => q).ToList();
        Assert.All(all, h => Assert.True(h.Verified));
        Assert.All(all, h => Assert.Equal("evt_0001", h.Id));
        Assert.Single(all.Select(h => h.Body).Distinct());
        Assert.Contains("\"type\":\"order.status_changed\"", all[0].Body, StringComparison.Ordinal);

        // The same event again (a redelivery or a second dispatch) is dropped by duplicate detection.
        await bus.SendAsync(MessagingEntities.PaymentEvents, message);
        await bus.ProcessDueAsync();
        Assert.Equal(7, _hits.Values.Sum(q => q.Count));
        Assert.Equal(0, bus.MessageCount(WebhookOptions.DefaultDeliveryQueue));
        Assert.Empty(bus.DeadLetters(WebhookOptions.DefaultDeliveryQueue));
    }

    [Fact]
    public async Task A_body_that_is_not_an_event_is_dead_lettered()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddSingleton<TimeProvider>(_clock);
        services.AddMessaging(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ServiceBus:InProcess:MaxDeliveryCount"] = "2" }).Build());
        services.AddWebhookFanOut();
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<InProcessBus>();

        await bus.SendAsync(MessagingEntities.PaymentEvents, OutgoingMessage.FromText("not json"));
        await bus.SendAsync(WebhookOptions.DefaultDeliveryQueue, OutgoingMessage.FromText("{\"eventId\":\"\"}"));
        await bus.ProcessDueAsync();

        Assert.Single(bus.DeadLetters(MessagingEntities.PaymentEvents, MessagingEntities.StorefrontWebhooksSubscription));
        Assert.Single(bus.DeadLetters(WebhookOptions.DefaultDeliveryQueue));
    }

    private sealed class CapturingRecorder : IWebhookFailureRecorder
    {
        public List<WebhookFailure> Failures { get; } = [];

        public Task RecordAsync(WebhookFailure failure, CancellationToken cancellationToken)
        {
            lock (Failures)
            {
                Failures.Add(failure);
            }

            return Task.CompletedTask;
        }
    }
}
