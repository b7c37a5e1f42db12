using Payments.Core.Providers;
using Payments.Host.Charges;
using Payments.Providers.NeuroPay;
using Payments.Providers.Next;
using Payments.Sandbox.Next;
using Payments.Storage.Orders;

namespace Payments.Host.Tests;

/// <summary>
/// Upsells and recurring charges end to end: the API, the order in Azurite, the in-process <c>payment-charges</c> queue,
/// the <c>RunCharge</c> handler and the real provider clients against the sandboxes.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ChargesFlowTests(AzuriteFixture azurite)
{
    private static Task<ChargeAccepted> AcceptedAsync(TestApp app, HttpResponseMessage response) =>
        app.Api.ExpectAsync<ChargeAccepted>(response, HttpStatusCode.Accepted);

    private static async Task<(string OrderId, OrderView Order)> PaidNextOrderAsync(TestApp app, JsonObject? body = null)
    {
        var created = await app.Api.CreateOrderAsync(body ?? OrderBodies.Next());
        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);
        Assert.Contains("status=succeeded", back.Headers.Location!.Query, StringComparison.Ordinal);
        var orderId = created.OrderId;
        return (orderId, await app.Api.GetOrderAsync(orderId));
    }

    /// <summary>
    /// A Neuro-Pay subscription order for a new saved customer, paid on the hosted page with the card saved (so it can be charged
    /// again); answers the order as created.
    /// </summary>
    private static async Task<OrderView> PaidNeuroPaySubscriptionAsync(TestApp app, string reference)
    {
        var customer = await app.Api.ExpectAsync<CustomerView>(
            app.Api.CreateCustomerAsync(new { provider = "neuropay", firstName = "Anna", lastName = "Svensson", email = "anna@example.se" }), HttpStatusCode.Created);
        var body = new JsonObject
        {
            ["provider"] = "neuropay",
            ["merchantReference"] = reference,
            ["amount"] = "49.90",
            ["currency"] = "SEK",
            ["successUrl"] = OrderBodies.SuccessUrl,
            ["failureUrl"] = OrderBodies.FailureUrl,
            ["subscription"] = new JsonObject { ["interval"] = "month" },
            ["providerOptions"] = new JsonObject { ["customerId"] = customer.Id },
        };
        var created = await app.Api.CreateOrderAsync(body);

        // The shopper pays on the hosted page and saves the card.
        var pageUrl = created.RedirectUrl!;
        var page = await app.Client.GetStringAsync(pageUrl);
        Assert.Contains(HtmlForms.Parse(page), f => f.Inputs.Any(i => i.Key == "save_card"));
        var decided = await app.Client.PostAsync(pageUrl, new FormUrlEncodedContent([new("decision", "pay"), new("save_card", "true")]));
        var back = await app.Client.GetAsync(decided.Headers.Location);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(back.Headers.Location!.Query)["status"].ToString());
        return created;
    }

    private static async Task<List<string>> OutboxTypesAsync(TestApp app, string orderId)
    {
        var types = new List<string>();
        await foreach (var row in app.Tables.GetTableClient(app.OrdersTable).QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            if (row.PartitionKey == orderId && row.RowKey.StartsWith(TableOrderStore.EventRowKeyPrefix, StringComparison.Ordinal))
            {
                types.Add(row.GetString("Type")!);
            }
        }

        return types;
    }

    [Fact]
    public async Task An_upsell_delivered_three_times_calls_NEXT_add_line_items_once()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (orderId, order) = await PaidNextOrderAsync(app);
        var number = order.ProviderReference;

        var accepted = await AcceptedAsync(app, await app.Api.PostAsync($"/api/orders/{orderId}/upsells", OrderBodies.Upsell(), key: "upsell-1"));
        var chargeId = accepted.ChargeId;
        Assert.Equal(("queued", "9.90", "CHF", "upsell"), (accepted.Status, accepted.Amount,
            accepted.Currency, accepted.Kind));

        await app.WhenPublishedAsync();
        var message = Assert.Single(app.Bus.Peek(MessagingEntities.PaymentCharges));
        Assert.Equal((chargeId, orderId, "charge.upsell"), (message.MessageId, message.CorrelationId, message.Subject));

        // Delivery 1 through the queue, then two redeliveries of the same message.
        await app.DrainBusAsync();
        foreach (var delivery in new[] { 2, 3 })
        {
            var again = new ReceivedMessage { Body = message.Body, MessageId = message.MessageId, DeliveryCount = delivery, ContentType = message.ContentType };
            Assert.True((await app.DeliverAsync(ChargeHandler.FunctionName, again)).Succeeded);
        }

        var sandbox = app.Service<NextSandboxState>();
        Assert.Equal(1, sandbox.AddLineItemsCalls);
        var nextOrder = JsonNode.Parse(sandbox.FindOrder(number!)!.ToJson())!.AsObject();
        Assert.Equal("59.80", nextOrder["total_incl_tax"]!.GetValue<string>());
        Assert.Single(nextOrder["lines"]!.AsArray(), l => l!["is_upsell"]!.GetValue<bool>());

        var after = await app.Api.GetOrderAsync(orderId);
        var charge = Assert.Single(after.Charges);
        Assert.Equal((chargeId, "succeeded", "9.90"), (charge.ChargeId, charge.Status, charge.Amount));
        Assert.StartsWith(number + "/", charge.ProviderReference, StringComparison.Ordinal);
        Assert.Equal("succeeded", after.Status);
        Assert.Equal(["order.status_changed", "charge.succeeded"], (await OutboxTypesAsync(app, orderId)).Order(StringComparer.Ordinal).Reverse());

        // NEXT's total now includes the upsell, and a later confirmation still recognises the order as ours.
        var stored = (await app.Service<IOrderStore>().GetAsync(orderId, default))!.Order;
        var confirmed = await app.Service<NextProvider>().ConfirmAsync(stored, null, default);
        Assert.Equal(PaymentStatus.Succeeded, confirmed.Status);

        // The same request again answers with the same charge, now settled, and queues nothing.
        var replay = await AcceptedAsync(app, await app.Api.PostAsync($"/api/orders/{orderId}/upsells", OrderBodies.Upsell(), key: "upsell-1"));
        Assert.Equal((chargeId, "succeeded"), (replay.ChargeId, replay.Status));
        await app.WhenPublishedAsync();
        Assert.Equal(0, app.Bus.MessageCount(MessagingEntities.PaymentCharges));
        var reused = await app.Api.PostAsync($"/api/orders/{orderId}/upsells", OrderBodies.Upsell(price: "1.00"), key: "upsell-1");
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
    }

    [Fact]
    public async Task A_subscription_order_schedules_its_renewal_which_NEXT_renews_once()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var body = OrderBodies.Next();
        body["subscription"] = new JsonObject { ["interval"] = "month", ["intervalCount"] = 1 };
        var (orderId, order) = await PaidNextOrderAsync(app, body);
        var paidAt = order.History[0].At;

        // The first renewal was queued with the payment, for a month later, as a scheduled message.
        var renewal = Assert.Single(order.Charges);
        Assert.Equal(("recurring", "queued", 2, "49.90"), (renewal.Kind, renewal.Status,
            renewal.Cycle, renewal.Amount));
        Assert.Equal(paidAt.AddMonths(1), renewal.RunAt);
        await app.WhenPublishedAsync();
        var message = Assert.Single(app.Bus.Peek(MessagingEntities.PaymentCharges));
        Assert.Equal(renewal.ChargeId, message.MessageId);
        Assert.Equal(paidAt.AddMonths(1), message.EnqueuedTimeUtc);
        await app.DrainBusAsync();
        Assert.Equal(1, app.Bus.MessageCount(MessagingEntities.PaymentCharges));

        // Its time comes (delivered directly: the bus holds it for a month), twice.
        for (var delivery = 1; delivery <= 2; delivery++)
        {
            var due = new ReceivedMessage { Body = message.Body, MessageId = message.MessageId, DeliveryCount = delivery };
            Assert.True((await app.DeliverAsync(ChargeHandler.FunctionName, due)).Succeeded);
        }

        var sandbox = app.Service<NextSandboxState>();
        Assert.Equal(1, sandbox.RenewCalls);
        var charges = (await app.Api.GetOrderAsync(orderId)).Charges;
        Assert.Equal(2, charges.Count);
        Assert.Equal("succeeded", charges[0].Status);
        var renewalNumber = charges[0].ProviderReference;
        Assert.Equal("paid", JsonNode.Parse(sandbox.FindOrder(renewalNumber!)!.ToJson())!["payment_status"]!.GetValue<string>());
        Assert.Equal((3, "queued"), (charges[1].Cycle, charges[1].Status));
        Assert.Equal(paidAt.AddMonths(2), charges[1].RunAt);
        Assert.Contains("charge.succeeded", await OutboxTypesAsync(app, orderId));
    }

    [Fact]
    public async Task A_recurring_charge_with_runAt_is_a_scheduled_message()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var body = OrderBodies.Next();
        body["subscription"] = new JsonObject { ["interval"] = "year" };
        var (orderId, _) = await PaidNextOrderAsync(app, body);
        var runAt = DateTimeOffset.UtcNow.AddDays(2);
        var runAtText = runAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var accepted = await AcceptedAsync(app, await app.Api.PostAsync($"/api/orders/{orderId}/recurring-charges",
            new JsonObject { ["amount"] = "49.90", ["runAt"] = runAtText }));

        var chargeId = accepted.ChargeId;
        await app.WhenPublishedAsync();
        var message = Assert.Single(app.Bus.Peek(MessagingEntities.PaymentCharges), m => m.MessageId == chargeId);
        Assert.Equal(DateTimeOffset.Parse(runAtText, System.Globalization.CultureInfo.InvariantCulture), message.EnqueuedTimeUtc);
        Assert.Equal("charge.recurring", message.Subject);
        await app.DrainBusAsync();
        Assert.Equal(2, app.Bus.MessageCount(MessagingEntities.PaymentCharges));
        Assert.Equal(0, app.Service<NextSandboxState>().RenewCalls);
        Assert.Equal("queued", (await app.Api.GetOrderAsync(orderId)).Charges
            .Single(c => c.ChargeId == chargeId).Status);
    }

    [Theory]
    [InlineData("upsells")]
    [InlineData("recurring-charges")]
    public async Task Providers_that_cannot_charge_again_answer_422_and_write_nothing(string kind)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var mangopay = await app.Api.ReadAsync<OrderView>(await app.Api.PostOrderAsync(OrderBodies.Mangopay()));
        var twisto = await app.Api.ReadAsync<OrderView>(await app.Api.PostOrderAsync(OrderBodies.Twisto("SO-2002")));
        var before = await app.RowVersionsAsync();
        var charge = kind == "upsells" ? OrderBodies.Upsell() : new JsonObject { ["amount"] = "10.00" };

        foreach (var order in new[] { mangopay, twisto })
        {
            var response = await app.Api.PostAsync($"/api/orders/{order.OrderId}/{kind}", charge);
            var problem = await app.Api.ReadAsync<Problem>(response);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("urn:payments:problem:capability-not-supported", problem.Type);
            Assert.Equal(order.Provider, problem.Provider);
            Assert.Equal(kind == "upsells" ? "upsell" : "recurring", problem.Capability);
        }

        Assert.Equal(before, await app.RowVersionsAsync());
        await app.WhenPublishedAsync();
        Assert.Equal(0, app.Bus.MessageCount(MessagingEntities.PaymentCharges));
    }

    [Fact]
    public async Task Every_bad_charge_request_is_a_4xx_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (paid, _) = await PaidNextOrderAsync(app);
        var pending = (await app.Api.CreateOrderAsync(OrderBodies.Next("SO-2"))).OrderId;
        var before = await app.RowVersionsAsync();

        async Task Expect(HttpStatusCode status, string type, HttpResponseMessage response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
            Assert.Equal("urn:payments:problem:" + type, JsonNode.Parse(text)!["type"]!.GetValue<string>());
        }

        var upsells = $"/api/orders/{paid}/upsells";
        var recurring = $"/api/orders/{paid}/recurring-charges";
        await Expect(HttpStatusCode.NotFound, "not-found", await app.Api.PostAsync("/api/orders/not-an-order/upsells", OrderBodies.Upsell()));
        await Expect(HttpStatusCode.NotFound, "not-found", await app.Api.PostAsync("/api/orders/ord_0000000000000000000000000000000f/upsells", OrderBodies.Upsell()));
        await Expect(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type",
            await app.Client.PostAsync(upsells, new StringContent(OrderBodies.Upsell().ToJsonString(), Encoding.UTF8, "text/plain")));
        await Expect(HttpStatusCode.BadRequest, "malformed-json", await app.Client.PostAsync(upsells, new StringContent("{\"items\":[", Encoding.UTF8, "application/json")));
        await Expect(HttpStatusCode.BadRequest, "malformed-json", await app.Api.PostAsync(upsells, new JsonObject { ["items"] = new JsonArray(), ["amount"] = "1.00" }));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(upsells, new JsonObject()));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(upsells, OrderBodies.Upsell(price: "-1.00")));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(upsells, OrderBodies.Upsell(price: "1.001")));
        await Expect(HttpStatusCode.UnprocessableEntity, "unprocessable", await app.Api.PostAsync(upsells, OrderBodies.Upsell(sku: "SOCKS")));
        await Expect(HttpStatusCode.Conflict, "invalid-state", await app.Api.PostAsync($"/api/orders/{pending}/upsells", OrderBodies.Upsell()));
        await Expect(HttpStatusCode.BadRequest, "invalid-header", await app.Api.PostAsync(upsells, OrderBodies.Upsell(), key: "a/b"));
        await Expect(HttpStatusCode.RequestEntityTooLarge, "body-too-large",
            await app.Client.PostAsync(upsells, new StringContent("{\"items\":[" + new string(' ', 70_000) + "]}", Encoding.UTF8, "application/json")));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(recurring, new JsonObject()));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(recurring, new JsonObject { ["amount"] = "0.00" }));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(recurring, new JsonObject { ["amount"] = "49.90", ["runAt"] = "tomorrow" }));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(recurring, new JsonObject { ["amount"] = "49.90", ["runAt"] = "2030-01-01T00:00:00" }));
        await Expect(HttpStatusCode.BadRequest, "validation-failed", await app.Api.PostAsync(recurring, new JsonObject { ["amount"] = "49.90", ["runAt"] = "2001-01-01T00:00:00Z" }));

        // NEXT renews subscriptions only, with the order's amount and lines.
        await Expect(HttpStatusCode.UnprocessableEntity, "unprocessable", await app.Api.PostAsync(recurring, new JsonObject { ["amount"] = "49.90" }));

        Assert.Equal(before, await app.RowVersionsAsync());
        await app.WhenPublishedAsync();
        Assert.Equal(0, app.Bus.MessageCount(MessagingEntities.PaymentCharges));
    }

    [Fact]
    public async Task Neuro_Pay_renews_a_subscription_with_the_card_the_shopper_saved()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await PaidNeuroPaySubscriptionAsync(app, "SO-3001");
        var orderId = created.OrderId;

        var renewal = Assert.Single((await app.Api.GetOrderAsync(orderId)).Charges);
        await app.WhenPublishedAsync();
        var message = Assert.Single(app.Bus.Peek(MessagingEntities.PaymentCharges));
        Assert.True((await app.DeliverAsync(ChargeHandler.FunctionName, new ReceivedMessage { Body = message.Body, MessageId = message.MessageId })).Succeeded);

        // And a recurring charge asked for through the API, at once.
        var extra = await AcceptedAsync(app, await app.Api.PostAsync($"/api/orders/{orderId}/recurring-charges", new JsonObject { ["amount"] = "10.00" }));
        await app.DrainBusAsync();

        var charges = (await app.Api.GetOrderAsync(orderId)).Charges;
        var first = charges.Single(c => c.ChargeId == renewal.ChargeId);
        var second = charges.Single(c => c.ChargeId == extra.ChargeId);
        Assert.Equal(("succeeded", "paid"), (first.Status, first.ProviderStatus));
        Assert.Equal(("succeeded", "10.00"), (second.Status, second.Amount));
        Assert.NotEqual(created.ProviderReference, first.ProviderReference);
        Assert.Contains(charges, c => c.Cycle == 3 && c.Status == "queued");
    }

    /// <summary>Under the Neuro-Pay client's resilience pipeline: answers 503 itself while <see cref="Down"/>, and counts the charges that got through.</summary>
    private sealed class NeuroPayOutage : DelegatingHandler
    {
        public NeuroPayOutage() => InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false };

        public volatile bool Down;

        public int Creates;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Down)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            }

            if (request.RequestUri!.AbsolutePath.EndsWith("/checkout/create", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref Creates);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task An_open_circuit_during_a_Neuro_Pay_recurring_charge_queues_the_charge_again()
    {
        var outage = new NeuroPayOutage();
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Providers:NeuroPay:Http:MaxRetryAttempts"] = "0",
            ["Providers:NeuroPay:Http:CircuitMinimumThroughput"] = "2",
            ["Providers:NeuroPay:Http:CircuitBreakDuration"] = "00:00:05",
        }, services => services.AddHttpClient(NeuroPayClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => outage));
        var orderId = (await PaidNeuroPaySubscriptionAsync(app, "SO-3002")).OrderId;
        var created = await app.Api.GetOrderJsonAsync(orderId);
        var charge = await AcceptedAsync(app, await app.Api.PostAsync($"/api/orders/{orderId}/recurring-charges", new JsonObject { ["amount"] = "10.00" }));
        var chargeId = charge.ChargeId;
        await app.WhenPublishedAsync();
        var message = Assert.Single(app.Bus.Peek(MessagingEntities.PaymentCharges), m => m.BodyAsString.Contains(chargeId, StringComparison.Ordinal));
        var creates = outage.Creates;

        // Neuro-Pay goes down; reads fail until the circuit opens. Then it is back, but the circuit is still open.
        outage.Down = true;
        var client = app.Service<NeuroPayClient>();
        ProviderException? open = null;
        for (var i = 0; i < 50 && open is null; i++)
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => client.RetrieveCheckoutAsync(created["providerReference"]!.GetValue<string>(), CancellationToken.None));
            Assert.Equal(NeuroPayProvider.ProviderName, ex.Provider);
            open = ex.NotSent ? ex : null;
        }

        Assert.NotNull(open);
        outage.Down = false;
        var delivery = await app.DeliverAsync(ChargeHandler.FunctionName, new ReceivedMessage { Body = message.Body, MessageId = message.MessageId });

        Assert.False(delivery.Succeeded);
        Assert.Equal(creates, outage.Creates);
        var queued = (await app.Api.GetOrderAsync(orderId)).Charges.Single(c => c.ChargeId == chargeId);
        Assert.Equal("queued", queued.Status);

        // Once the circuit lets a call through, the redelivered message charges the card, once.
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        Assert.True((await app.DeliverAsync(ChargeHandler.FunctionName, new ReceivedMessage { Body = message.Body, MessageId = message.MessageId })).Succeeded);
        Assert.Equal(creates + 1, outage.Creates);
        var paid = (await app.Api.GetOrderAsync(orderId)).Charges.Single(c => c.ChargeId == chargeId);
        Assert.Equal(("succeeded", "10.00"), (paid.Status, paid.Amount));
    }
}
