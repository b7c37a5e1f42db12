using Payments.Core.Events;
using Payments.Host.Charges;
using Payments.Messaging.Webhooks;
using Payments.Sandbox.Next;

namespace Payments.Host.Tests;

/// <summary>
/// The app as the Functions host runs it: <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set, Service Bus through the SDK over a
/// Moq'd client (<see cref="MockServiceBus"/>, which can fail like an unreachable namespace), and the host's part played
/// by the test: it takes the messages the namespace accepted and POSTs them to <c>/{FunctionName}</c> in the host's invocation envelope (values JSON-encoded twice).
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class FunctionsHostTests(AzuriteFixture azurite)
{
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
            ["Subject"] = message.Subject is null ? null : Twice(message.Subject),
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

        // What the invocation committed is published in the background: the tests look at what it sent.
        await app.WhenPublishedAsync();
        return (response.StatusCode, body);
    }

    private static Task<TestApp> StartAsync(AzuriteFixture azurite, MockServiceBus bus, Dictionary<string, string?>? extra = null)
    {
        var port = new Uri(FreeUrl()).Port;
        var settings = MockServiceBus.Settings(extra);
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        settings["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TestApp.StartAsync(azurite, settings, bus.Register);
    }

    private static string FreeUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Fact]
    public async Task Events_wait_out_a_Service_Bus_outage_and_then_reach_the_storefront_through_the_trigger_endpoints_once_each()
    {
        var bus = new MockServiceBus(MockServiceBus.Mode.Down);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await StartAsync(azurite, bus, receiver.Settings());

        await NextOrders.PaidAsync(app, 10);
        Assert.True(bus.Refused > 0);
        Assert.Empty(bus.Accepted);
        Assert.Equal(10, (await app.Service<IOutboxReader>().GetUnsentAsync(100, default)).Count);

        // The timer fails while the namespace is down (the host logs it), and works once it is back.
        Assert.Equal(HttpStatusCode.InternalServerError, (await InvokeAsync(app, "OutboxSweep", TimerEnvelope)).Status);
        bus.State = MockServiceBus.Mode.Up;
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, "OutboxSweep", TimerEnvelope)).Status);
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(100, default));
        var events = bus.On(MessagingEntities.PaymentEvents);
        Assert.Equal(10, events.Count);
        Assert.All(events, e => Assert.Equal("order.status_changed", e.Subject));

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
        var bus = new MockServiceBus();
        await using var app = await StartAsync(azurite, bus);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        await Shopper.PayAsync(app.Client, created.RedirectUrl!);

        var response = await app.Api.UpsellAsync(orderId, new { items = new[] { new { name = "Socks", sku = "202", quantity = 2, unitPrice = "4.50" } } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var chargeId = (await app.Api.ReadAsync<ChargeAccepted>(response)).ChargeId;

        // The charge's message is sent right after the commit, off the 202's path.
        await app.WhenPublishedAsync();
        var message = Assert.Single(bus.On(MessagingEntities.PaymentCharges));
        Assert.Equal((chargeId, orderId, "charge.upsell", (DateTimeOffset?)null), (message.MessageId, message.CorrelationId, message.Subject, message.ScheduledEnqueueTime));
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, ChargeHandler.FunctionName, Envelope(message, delivery))).Status);
        }

        Assert.Equal(1, app.Service<NextSandboxState>().AddLineItemsCalls);
        var charge = (await app.Api.GetOrderAsync(orderId)).Charges[0];
        Assert.Equal(("succeeded", "9.00"), (charge.Status, charge.Amount));

        // The charge's event went out right after the commit; a message naming no charge of ours is refused.
        Assert.Contains(bus.On(MessagingEntities.PaymentEvents), e => e.Subject == "charge.succeeded" && e.CorrelationId == orderId);
        var bogus = message with { Body = $$"""{"orderId":"{{orderId}}","chargeId":"chg_00000000000000000000000000000000"}""" };
        Assert.Equal(HttpStatusCode.InternalServerError, (await InvokeAsync(app, ChargeHandler.FunctionName, Envelope(bogus, 1))).Status);
    }

    [Fact]
    public async Task A_recurring_charge_for_later_is_sent_as_a_scheduled_message()
    {
        var bus = new MockServiceBus();
        await using var app = await StartAsync(azurite, bus);
        var body = OrderBodies.Next();
        body["subscription"] = new JsonObject { ["interval"] = "month" };
        var created = await app.Api.CreateOrderAsync(body);
        await Shopper.PayAsync(app.Client, created.RedirectUrl!);
        await app.WhenPublishedAsync();

        // The automatic renewal, queued with the payment, is scheduled a month ahead (ScheduledEnqueueTime).
        var renewal = Assert.Single(bus.On(MessagingEntities.PaymentCharges));
        Assert.Equal("charge.recurring", renewal.Subject);
        var due = renewal.ScheduledEnqueueTime!.Value;
        Assert.InRange(due, DateTimeOffset.UtcNow.AddDays(27), DateTimeOffset.UtcNow.AddDays(32));
    }
}
