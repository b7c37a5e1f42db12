namespace Payments.Host.Tests.Contract;

/// <summary>
/// The documented statuses the behaviour tests do not reach by themselves: provider failures (502, 504) on every operation
/// that calls a provider, a refund still in flight (202), storage down (503) on every operation that reads an order, and the
/// few 4xx only an odd request gets. Each answer is held to the document by <see cref="ContractRecorder"/> on arrival.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ContractStatusTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_provider_that_fails_is_a_502_or_504_on_every_call_and_a_refund_in_flight_is_a_202()
    {
        var port = LoopbackPorts.Free();
        await using var upstream = await FaultyUpstream.StartAsync($"http://127.0.0.1:{port}/sandbox/neuropay");
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["PublicBaseUrl"] = $"http://127.0.0.1:{port}",
            ["Providers:NeuroPay:BaseUrl"] = upstream.Url,
            ["Providers:NeuroPay:Http:RetryBaseDelay"] = "00:00:00.010",
            ["Providers:NeuroPay:Http:CircuitMinimumThroughput"] = "1000",
        });
        var authorized = await PaidAsync(app, "SO-C1", capture: false);
        var paid = await PaidAsync(app, "SO-C2", capture: true);

        foreach (var (upstreamStatus, expected) in new[] { (HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway), (HttpStatusCode.GatewayTimeout, HttpStatusCode.GatewayTimeout) })
        {
            upstream.FailWith = upstreamStatus;
            var answers = new Dictionary<string, HttpStatusCode>
            {
                ["capture"] = (await app.Client.PostAsync($"/api/orders/{authorized}/capture", null)).StatusCode,
                ["cancel"] = (await app.Client.PostAsync($"/api/orders/{authorized}/cancel", null)).StatusCode,
                ["refund"] = (await app.Client.PostAsJsonAsync($"/api/orders/{paid}/refunds", new { amount = "1.00" })).StatusCode,
                ["create customer"] = (await app.Client.PostAsJsonAsync("/api/customers", new { provider = "neuropay", firstName = "Ada", lastName = "Lovelace", email = "ada@example.com" })).StatusCode,
                ["read customer"] = (await app.Client.GetAsync("/api/customers/cus_1?provider=neuropay")).StatusCode,
                ["delete customer"] = (await app.Client.DeleteAsync("/api/customers/cus_1?provider=neuropay")).StatusCode,
                ["create order"] = (await app.Client.PostAsJsonAsync("/api/orders", OrderBodies.NeuroPay($"SO-C3-{(int)upstreamStatus}"))).StatusCode,
            };
            Assert.All(answers, a => Assert.True(a.Value == expected, $"{a.Key} with the provider answering {(int)upstreamStatus}: {(int)a.Value}, not {(int)expected}"));
        }

        // A refund whose provider call is still under way: the same request again, at another instance (this one would
        // wait for the first), is a 202 with the refund as it stands.
        upstream.FailWith = null;
        var (release, arrived) = upstream.Hold("/checkout/refund");
        var first = app.Client.SendAsync(Refund(paid, "refund-held"));
        await arrived.WaitAsync(TimeSpan.FromSeconds(30));
        await using var other = await TestApp.StartAsync(azurite, app.SameTables());
        var again = await other.Client.SendAsync(Refund(paid, "refund-held"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("requested", (await other.Api.ReadAsync<OrderView>(again)).Refunds.Single().Status);
        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
    }

    [Fact]
    public async Task While_storage_is_down_every_operation_on_an_order_and_health_answer_503()
    {
        await using var storage = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(storage, StorageRetries.Quick());
        var authorized = await PaidAsync(app, "SO-D1", capture: false);

        await storage.StopAsync();

        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["health"] = await app.Client.GetAsync("/api/health"),
            ["capture"] = await app.Client.PostAsync($"/api/orders/{authorized}/capture", null),
            ["cancel"] = await app.Client.PostAsync($"/api/orders/{authorized}/cancel", null),
            ["refund"] = await app.Client.SendAsync(Refund(authorized, "refund-down")),
            ["upsell"] = await app.Client.PostAsJsonAsync($"/api/orders/{authorized}/upsells",
                new { items = new[] { new { name = "Socks", sku = "202", quantity = 1, unitPrice = "9.90", type = "goods" } } }),
            ["recurring charge"] = await app.Client.PostAsJsonAsync($"/api/orders/{authorized}/recurring-charges", new { }),
            ["mangopay hook"] = await app.Client.GetAsync("/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId=payin_1&Date=1718010000"),
        };
        Assert.All(answers, a => Assert.True(a.Value.StatusCode == HttpStatusCode.ServiceUnavailable, $"{a.Key}: {(int)a.Value.StatusCode}"));
        Assert.All(answers.Where(a => a.Key != "health"), a => Assert.NotNull(a.Value.Headers.RetryAfter));
    }

    [Fact]
    public async Task Odd_requests_get_the_documented_4xx()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());

        // A GET notification with a body over the limit.
        using var big = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks/next") { Content = new StringContent(new string('x', 2 * 1024 * 1024), Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await app.Client.SendAsync(big)).StatusCode);
    }

    [Fact]
    public async Task With_no_provider_that_keeps_customers_a_customer_request_without_provider_is_a_400()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "false",
            ["Providers:Next:BaseUrl"] = "http://127.0.0.1:9",
            ["Providers:Next:AccessToken"] = "unused-token",
            ["Providers:Next:WebhookSecret"] = "unused-secret",
        });

        Assert.Equal(HttpStatusCode.BadRequest, (await app.Client.GetAsync("/api/customers/cus_1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Client.DeleteAsync("/api/customers/cus_1")).StatusCode);
    }

    /// <summary>A Neuro-Pay order the shopper paid (authorized when not captured at once); returns its id.</summary>
    private static async Task<string> PaidAsync(TestApp app, string reference, bool capture)
    {
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay(reference, new JsonObject { ["capture"] = capture }));
        await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, created.RedirectUrl!, "pay"));
        return created.OrderId;
    }

    private static HttpRequestMessage Refund(string orderId, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/refunds") { Content = JsonContent.Create(new { amount = "2.00" }) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
