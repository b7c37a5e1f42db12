namespace Payments.Host.Tests;

/// <summary>NEXT's signed webhooks, and what the API says about operations NEXT does not offer.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class NextWebhookAndOperationsTests(AzuriteFixture azurite)
{
    /// <summary>Pays in the sandbox but never delivers the shopper's return: the NEXT order exists, ours does not know it.</summary>
    private static async Task<(string OrderId, JsonObject NextOrder)> PaidWithoutReturnAsync(TestApp app, string reference = "SO-1001")
    {
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next(reference));
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var nextOrder = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();
        return (created.OrderId, nextOrder);
    }

    [Fact]
    public async Task A_signed_webhook_settles_an_order_whose_shopper_never_came_back()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var (orderId, nextOrder) = await PaidWithoutReturnAsync(app);

        var response = await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal("webhook", order.History[0].Source);
        Assert.Equal(nextOrder["number"]!.ToString(), order.ProviderReference);

        // NEXT retries webhooks: the same event again is acknowledged and changes nothing.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder)))).StatusCode);
        Assert.Single((await app.Api.GetOrderAsync(orderId)).History);
    }

    [Fact]
    public async Task An_unsigned_or_wrongly_signed_webhook_is_a_401_and_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var (orderId, nextOrder) = await PaidWithoutReturnAsync(app);
        var before = await app.RowVersionsAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder), secret: null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder), secret: "another-secret"))).StatusCode);

        Assert.Equal(before, await app.RowVersionsAsync());
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task A_signed_webhook_about_someone_elses_order_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var (orderId, nextOrder) = await PaidWithoutReturnAsync(app);
        var (otherId, _) = await PaidWithoutReturnAsync(app, "SO-1002");

        // The envelope says it is about the other order (metadata), but the NEXT order is this one's.
        var forged = nextOrder.DeepClone().AsObject();
        forged["metadata"] = new JsonObject { ["payments_order_id"] = otherId };
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.OrderCreated(forged)))).StatusCode);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(otherId)).Status);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task A_malformed_webhook_is_a_400_and_an_unknown_provider_a_404()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Client.SendAsync(NextWebhooks.Request("not json"))).StatusCode);
        var unknown = await app.Client.PostAsync("/api/webhooks/paypal", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Theory]
    [InlineData("capture")]
    public async Task Operations_NEXT_does_not_offer_are_a_422_naming_provider_and_capability(string operation)
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        var before = await app.RowVersionsAsync();

        var response = await app.Api.PostAsync($"/api/orders/{orderId}/{operation}", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await app.Api.ReadAsync<Problem>(response);
        Assert.Equal("urn:payments:problem:capability-not-supported", problem.Type);
        Assert.Equal("next", problem.Provider);
        Assert.Equal(before, await app.RowVersionsAsync());
    }

    [Fact]
    public async Task Operations_on_an_unknown_order_are_a_404()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        foreach (var op in new[] { "capture", "refunds", "cancel" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await app.Client.PostAsync($"/api/orders/ord_0000000000000000000000000000000f/{op}", null)).StatusCode);
        }
    }

    [Fact]
    public async Task Customers_need_a_provider_that_keeps_them()
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var response = await app.Api.CreateCustomerAsync(new { provider = "next", firstName = "Anna", lastName = "Muster", email = "anna@example.ch" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("urn:payments:problem:capability-not-supported", (await app.Api.ReadAsync<Problem>(response)).Type);

        var bad = await app.Client.PostAsJsonAsync("/api/customers", new { provider = "next", firstName = "", lastName = "Muster", email = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
