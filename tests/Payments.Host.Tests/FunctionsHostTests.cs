using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Host.Charges;
using Payments.Messaging;
using Payments.Messaging.Webhooks;
using Payments.Sandbox.Next;
using Payments.Storage.Orders;
using Payments.Testing;

namespace Payments.Host.Tests;

/// <summary>
/// The app as the Functions host runs it: <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set, Service Bus over REST (a local stand-in
/// for the namespace that can answer 503), and the host's part played by the test: it takes the messages the namespace
/// accepted and POSTs them to <c>/{FunctionName}</c> in the host's invocation envelope (values JSON-encoded twice).
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class FunctionsHostTests(AzuriteFixture azurite)
{
    /// <summary>One message as the namespace accepted it.</summary>
    public sealed record BusMessage(string Entity, string MessageId, string Body, string? Label, string? CorrelationId, string? ScheduledEnqueueTimeUtc);

    /// <summary>A Service Bus namespace's REST endpoint: 503 while <see cref="Down"/>, else 201; duplicate detection by MessageId.</summary>
    public sealed class FakeNamespace : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeNamespace(WebApplication app, Uri endpoint)
        {
            _app = app;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        private int _refused;
        private volatile bool _down;

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public int Refused => Volatile.Read(ref _refused);

        public ConcurrentQueue<BusMessage> Accepted { get; } = new();

        public string ConnectionString => $"Endpoint={Endpoint};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=test-key";

        public IReadOnlyList<BusMessage> On(string entity) => [.. Accepted.Where(m => m.Entity == entity)];

        public static async Task<FakeNamespace> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            FakeNamespace? fake = null;
            app.MapPost("/{entity}/messages", async (HttpContext context, string entity) =>
            {
                if (!context.Request.Headers.Authorization.ToString().StartsWith("SharedAccessSignature ", StringComparison.Ordinal))
                {
                    context.Response.StatusCode = 401;
                    return;
                }

                if (fake!.Down)
                {
                    Interlocked.Increment(ref fake._refused);
                    context.Response.StatusCode = 503;
                    return;
                }

                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var text = Encoding.UTF8.GetString(buffer.ToArray());
                if (context.Request.ContentType == "application/vnd.microsoft.servicebus.json")
                {
                    foreach (var item in JsonNode.Parse(text)!.AsArray())
                    {
                        fake.Add(entity, item!["Body"]!.GetValue<string>(), item["BrokerProperties"]!.AsObject());
                    }
                }
                else
                {
                    fake.Add(entity, text, JsonNode.Parse(context.Request.Headers["BrokerProperties"].ToString())!.AsObject());
                }

                context.Response.StatusCode = 201;
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            fake = new FakeNamespace(app, new Uri(address.TrimEnd('/') + "/"));
            return fake;
        }

        private void Add(string entity, string body, JsonObject properties)
        {
            var id = properties["MessageId"]!.GetValue<string>();
            lock (Accepted)
            {
                if (Accepted.Any(m => m.Entity == entity && m.MessageId == id))
                {
                    return;
                }

                Accepted.Enqueue(new BusMessage(entity, id, body, properties["Label"]?.GetValue<string>(), properties["CorrelationId"]?.GetValue<string>(),
                    properties["ScheduledEnqueueTimeUtc"]?.GetValue<string>()));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>JsonConvert.SerializeObject(value), sent as a JSON string: how the host passes trigger values and binding data.</summary>
    private static JsonValue Twice(object value) => JsonValue.Create(JsonSerializer.Serialize(value))!;

    private static string Envelope(BusMessage message, int deliveryCount) => new JsonObject
    {
        ["Data"] = new JsonObject { ["message"] = Twice(message.Body) },
        ["Metadata"] = new JsonObject
        {
            ["MessageId"] = Twice(message.MessageId),
            ["DeliveryCount"] = Twice(deliveryCount),
            ["EnqueuedTimeUtc"] = "2025-05-01T10:20:30",
            ["SequenceNumber"] = Twice(7L),
            ["Subject"] = message.Label is null ? null : Twice(message.Label),
            ["CorrelationId"] = message.CorrelationId is null ? null : Twice(message.CorrelationId),
            ["ApplicationProperties"] = new JsonObject(),
            ["sys"] = new JsonObject { ["MethodName"] = "Functions.x", ["UtcNow"] = "2025-05-01T10:20:31.123Z", ["RandGuid"] = Guid.NewGuid().ToString() },
        },
    }.ToJsonString();

    private static readonly string TimerEnvelope = new JsonObject
    {
        ["Data"] = new JsonObject { ["timer"] = new JsonObject { ["Schedule"] = new JsonObject { ["AdjustForDST"] = true }, ["ScheduleStatus"] = null, ["IsPastDue"] = false } },
        ["Metadata"] = new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "Functions.OutboxSweep" } },
    }.ToJsonString();

    /// <summary>The host's POST of one invocation; it needs a JSON answer, and only a 2xx completes the message.</summary>
    private static async Task<(HttpStatusCode Status, JsonObject Body)> InvokeAsync(TestApp app, string function, string envelope)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + function) { Content = new StringContent(envelope, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        var response = await app.Client.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(body.ContainsKey("Outputs"));
        return (response.StatusCode, body);
    }

    private static Task<TestApp> StartAsync(AzuriteFixture azurite, FakeNamespace bus, Dictionary<string, string?>? extra = null)
    {
        var port = new Uri(FreeUrl()).Port;
        var settings = new Dictionary<string, string?>(extra ?? [])
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["PublicBaseUrl"] = $"http://127.0.0.1:{port}",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ServiceBus:ConnectionString"] = bus.ConnectionString,
            ["ServiceBus:MaxRetryAttempts"] = "1",
            ["ServiceBus:RetryBaseDelay"] = "00:00:00.010",
        };
        return TestApp.StartAsync(azurite, settings);
    }

    private static string FreeUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Fact]
    public async Task Events_wait_out_a_503_outage_and_then_reach_the_storefront_through_the_trigger_endpoints_once_each()
    {
        await using var bus = await FakeNamespace.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await StartAsync(azurite, bus, receiver.Settings());
        bus.Down = true;

        await OutboxFanOutTests.PayOrdersAsync(app, 10);
        Assert.True(bus.Refused > 0);
        Assert.Empty(bus.Accepted);
        Assert.Equal(10, (await app.Service<IOutboxReader>().GetUnsentAsync(100, default)).Count);

        // The timer fails while the namespace is down (the host logs it), and works once it is back.
        Assert.Equal(HttpStatusCode.InternalServerError, (await InvokeAsync(app, "OutboxSweep", TimerEnvelope)).Status);
        bus.Down = false;
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, "OutboxSweep", TimerEnvelope)).Status);
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(100, default));
        var events = bus.On(MessagingEntities.PaymentEvents);
        Assert.Equal(10, events.Count);
        Assert.All(events, e => Assert.Equal("order.status_changed", e.Label));

        // The host delivers each event to the fan-out (twice: a redelivery), then each delivery job (twice as well).
        foreach (var e in events)
        {
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, "WebhookFanOut", Envelope(e, 1))).Status);
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, "WebhookFanOut", Envelope(e, 2))).Status);
        }

        var jobs = bus.On(WebhookOptions.DefaultDeliveryQueue);
        Assert.Equal(10, jobs.Count);
        foreach (var job in jobs.Concat(jobs))
        {
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, "WebhookDelivery", Envelope(job, 1))).Status);
        }

        Assert.Equal(events.Select(e => e.MessageId).Order(StringComparer.Ordinal), receiver.Deliveries.Select(d => d.WebhookId).Order(StringComparer.Ordinal));
        Assert.All(receiver.Deliveries, d => Assert.Equal(WebhookVerification.Valid, d.Verification));

        // What the host could not have sent: a body that is no event fails (the message is retried, then dead-lettered),
        // an envelope that is not the host's is a 400.
        Assert.Equal(HttpStatusCode.InternalServerError,
            (await InvokeAsync(app, "WebhookFanOut", Envelope(events[0] with { Body = "{\"hello\":1}" }, 1))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await InvokeAsync(app, "WebhookFanOut", "[1,2]")).Status);
    }

    [Fact]
    public async Task An_upsell_message_the_host_delivers_three_times_calls_add_line_items_once()
    {
        await using var bus = await FakeNamespace.StartAsync();
        await using var app = await StartAsync(azurite, bus);
        var created = await NextPaymentFlowTests.CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();
        await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>());

        var response = await app.Client.PostAsJsonAsync($"/api/orders/{orderId}/upsells",
            new { items = new[] { new { name = "Socks", sku = "202", quantity = 2, unitPrice = "4.50" } } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var chargeId = (await response.Content.ReadFromJsonAsync<JsonObject>())!["chargeId"]!.GetValue<string>();

        var message = Assert.Single(bus.On(MessagingEntities.PaymentCharges));
        Assert.Equal((chargeId, orderId, "charge.upsell", (string?)null), (message.MessageId, message.CorrelationId, message.Label, message.ScheduledEnqueueTimeUtc));
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, ChargeHandler.FunctionName, Envelope(message, delivery))).Status);
        }

        Assert.Equal(1, app.Service<NextSandboxState>().AddLineItemsCalls);
        var charge = (await NextPaymentFlowTests.GetAsync(app, orderId))["charges"]![0]!;
        Assert.Equal(("succeeded", "9.00"), (charge["status"]!.GetValue<string>(), charge["amount"]!.GetValue<string>()));

        // The charge's event went out right after the commit; a message naming no charge of ours is refused.
        Assert.Contains(bus.On(MessagingEntities.PaymentEvents), e => e.Label == "charge.succeeded" && e.CorrelationId == orderId);
        var bogus = message with { Body = $$"""{"orderId":"{{orderId}}","chargeId":"chg_00000000000000000000000000000000"}""" };
        Assert.Equal(HttpStatusCode.InternalServerError, (await InvokeAsync(app, ChargeHandler.FunctionName, Envelope(bogus, 1))).Status);
    }

    [Fact]
    public async Task A_recurring_charge_for_later_is_sent_as_a_scheduled_message()
    {
        await using var bus = await FakeNamespace.StartAsync();
        await using var app = await StartAsync(azurite, bus);
        var body = NextPaymentFlowTests.OrderBody();
        body["subscription"] = new JsonObject { ["interval"] = "month" };
        var created = await NextPaymentFlowTests.CreateAsync(app, body);
        await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>());

        // The automatic renewal, queued with the payment, is scheduled a month ahead (RFC 1123, as the REST API wants it).
        var renewal = Assert.Single(bus.On(MessagingEntities.PaymentCharges));
        Assert.Equal("charge.recurring", renewal.Label);
        var due = DateTimeOffset.Parse(renewal.ScheduledEnqueueTimeUtc!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(due, DateTimeOffset.UtcNow.AddDays(27), DateTimeOffset.UtcNow.AddDays(32));
    }
}
