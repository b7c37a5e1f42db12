namespace Payments.Messaging.Tests.Webhooks;

/// <summary>The fan-out consults its <see cref="IWebhookDeliveryLog"/>: an event delivered once is not delivered again.</summary>
public sealed class WebhookDeliveryLogTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _hits = new();
    private readonly FakeTimeProvider _clock = new();
    private LocalServer _storefront = null!;
    private int _failFirst;

    /// <summary>A log in memory with the claim rules the durable one has.</summary>
    private sealed class MemoryLog : IWebhookDeliveryLog
    {
        public ConcurrentDictionary<string, string> States { get; } = new();

        public Task<WebhookClaim> TryClaimAsync(WebhookDeliveryJob job, TimeSpan lease, CancellationToken cancellationToken)
        {
            var key = $"{job.EventId}|{job.Endpoint}";
            if (States.TryAdd(key, "delivering") || States.TryUpdate(key, "delivering", "retrying"))
            {
                return Task.FromResult(WebhookClaim.Claimed);
            }

            return Task.FromResult(States[key] == "delivered" ? WebhookClaim.AlreadyDelivered : WebhookClaim.InProgress);
        }

        public Task MarkDeliveredAsync(WebhookDeliveryJob job, int statusCode, CancellationToken cancellationToken)
        {
            States[$"{job.EventId}|{job.Endpoint}"] = "delivered";
            return Task.CompletedTask;
        }

        public Task ReleaseAsync(WebhookDeliveryJob job, string? error, CancellationToken cancellationToken)
        {
            States[$"{job.EventId}|{job.Endpoint}"] = "retrying";
            return Task.CompletedTask;
        }
    }

    public async Task InitializeAsync()
    {
        _storefront = await LocalServer.StartAsync(app => app.MapPost("/hook", (HttpContext context) =>
        {
            _hits.Enqueue(context.Request.Headers["webhook-id"].ToString());
            context.Response.StatusCode = Interlocked.Decrement(ref _failFirst) >= 0 ? 503 : 204;
        }));
    }

    public async Task DisposeAsync() => await _storefront.DisposeAsync();

    private ServiceProvider Build(MemoryLog log)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Endpoints:0:Name"] = "shop",
            ["Webhooks:Endpoints:0:Url"] = new Uri(_storefront.BaseAddress, "hook").AbsoluteUri,
            ["Webhooks:Endpoints:0:Secret"] = WebhookSecret.Generate().Serialize(),
            ["Webhooks:RetryDelays:0"] = "00:00:01",
            ["ServiceBus:InProcess:DuplicateDetectionWindow"] = "00:00:00",
        };
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IWebhookDeliveryLog>(log);
        services.AddMessaging(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddWebhookFanOut();
        return services.BuildServiceProvider();
    }

    private OutgoingMessage Event(string id) =>
        OutgoingMessage.FromJson(new PaymentEvent(id, PaymentEvent.StatusChanged, "ord_1", "SO-1", "next", PaymentStatus.Pending, PaymentStatus.Succeeded,
            _clock.GetUtcNow(), new OrderSummary("49.90", "CHF", null, null))) with
        { MessageId = id };

    [Fact]
    public async Task An_event_published_three_times_past_the_brokers_window_is_delivered_once()
    {
        var log = new MemoryLog();
        await using var provider = Build(log);
        var bus = provider.GetRequiredService<InProcessBus>();

        for (var i = 0; i < 3; i++)
        {
            await bus.SendAsync(MessagingEntities.PaymentEvents, Event("evt_1"));
            await bus.ProcessDueAsync();
        }

        Assert.Equal(["evt_1"], _hits);
        Assert.Equal("delivered", log.States["evt_1|shop"]);
    }

    [Fact]
    public async Task A_failed_attempt_releases_the_delivery_for_its_scheduled_retry()
    {
        _failFirst = 1;
        var log = new MemoryLog();
        await using var provider = Build(log);
        var bus = provider.GetRequiredService<InProcessBus>();

        await bus.SendAsync(MessagingEntities.PaymentEvents, Event("evt_2"));
        await bus.ProcessDueAsync();
        Assert.Equal("retrying", log.States["evt_2|shop"]);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await bus.ProcessDueAsync();

        Assert.Equal(["evt_2", "evt_2"], _hits);
        Assert.Equal("delivered", log.States["evt_2|shop"]);
    }

    [Fact]
    public async Task A_delivery_someone_else_holds_is_skipped_without_a_failure()
    {
        var log = new MemoryLog();
        log.States["evt_3|shop"] = "delivering";
        await using var provider = Build(log);
        var bus = provider.GetRequiredService<InProcessBus>();

        await bus.SendAsync(MessagingEntities.PaymentEvents, Event("evt_3"));
        await bus.ProcessDueAsync();

        Assert.Empty(_hits);
        Assert.Empty(bus.DeadLetters(WebhookOptions.DefaultDeliveryQueue));
        Assert.Equal(0, bus.MessageCount(WebhookOptions.DefaultDeliveryQueue));
    }
}
