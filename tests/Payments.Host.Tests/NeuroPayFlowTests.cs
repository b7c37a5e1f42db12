using System.Net.Http.Headers;

namespace Payments.Host.Tests;

/// <summary>Neuro-Pay end to end: the real handler, the real Neuro-Pay client, the Neuro-Pay sandbox, Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class NeuroPayFlowTests(AzuriteFixture azurite)
{
    private async Task<T> PostAsync<T>(TestApp app, string path, object? body, HttpStatusCode expected = HttpStatusCode.OK) =>
        await app.Api.ExpectAsync<T>(app.Api.PostAsync(path, body), expected);

    [Fact]
    public async Task Paying_ends_at_successUrl_as_succeeded()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay());
        var orderId = created.OrderId;
        Assert.Equal("pending", created.Status);
        Assert.Equal("neuropay", created.Provider);
        var redirect = created.RedirectUrl!;
        Assert.StartsWith($"{app.BaseUrl}/sandbox/neuropay/pay/", redirect, StringComparison.Ordinal);
        Assert.Equal(created.ProviderReference, redirect[(redirect.LastIndexOf('/') + 1)..]);

        var location = await NeuroPayShopper.DecideAsync(app, redirect, "pay");
        Assert.Empty(location.Query);
        var query = ShopRedirect.AssertAt(await NeuroPayShopper.FollowAsync(app, location), "done", "succeeded");
        Assert.Equal(orderId, query["orderId"]);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal("paid", order.ProviderStatus);
        var step = Assert.Single(order.History);
        Assert.Equal("return", step.Source);

        var checkout = await NeuroPayShopper.CheckoutAsync(app, order.ProviderReference!);
        Assert.Equal(4990, checkout["amount"]!.GetValue<long>());
        Assert.Equal("SEK", checkout["currency"]!.GetValue<string>());
        Assert.Equal("Order SO-2001", checkout["message"]!.GetValue<string>());
        Assert.Equal(orderId, checkout["metaData"]!["payments_order_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Declining_ends_at_failureUrl_as_failed()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay());
        var orderId = created.OrderId;

        ShopRedirect.AssertAt(await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, created.RedirectUrl!, "decline")), "failed", "failed");
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("failed", order.Status);
        Assert.Contains("failed", order.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_on_the_checkout_page_ends_at_failureUrl_as_cancelled()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay());
        var orderId = created.OrderId;

        var location = await NeuroPayShopper.DecideAsync(app, created.RedirectUrl!, "cancel");
        Assert.Equal("?cancel=1", location.Query);
        ShopRedirect.AssertAt(await NeuroPayShopper.FollowAsync(app, location), "failed", "cancelled");
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("cancelled", order.Status);
        Assert.Equal("canceled", order.ProviderStatus);
    }

    [Fact]
    public async Task A_forged_return_while_the_checkout_is_still_created_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay());
        var orderId = created.OrderId;
        var checkout = await NeuroPayShopper.CheckoutAsync(app, created.ProviderReference!);

        // The shopper never decides, but calls both return URLs, with a made-up checkout id and status for good measure.
        Dictionary<(string PartitionKey, string RowKey), string?>? afterFirst = null;
        foreach (var url in new[]
        {
            checkout["returnUrl"]!.GetValue<string>(),
            checkout["returnUrlCancel"]!.GetValue<string>(),
            checkout["returnUrl"]!.GetValue<string>() + "?checkout_id=ffffffffffffffffffffffffffffffff&status=paid",
        })
        {
            var (path, query) = await NeuroPayShopper.FollowAsync(app, new Uri(url));

            // A shopper who used the cancel link goes to the failure page, still told the truth: pending.
            var viaCancel = url == checkout["returnUrlCancel"]!.GetValue<string>();
            Assert.Equal(viaCancel ? $"{TestApp.Shop}/checkout/failed" : $"{TestApp.Shop}/checkout/done", path);
            Assert.Equal("pending", query["status"]);

            // The first return records what Neuro-Pay said ("created") on the order; nothing is written after that.
            var rows = await app.RowVersionsAsync();
            Assert.Equal(afterFirst ?? rows, rows);
            afterFirst = rows;
        }

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("pending", order.Status);
        Assert.Equal("created", order.ProviderStatus);
        Assert.Empty(order.History);
        Assert.DoesNotContain(await app.AllRowsAsync(), r => r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reserved_then_captured_then_refunded_in_part_and_in_full()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay(providerOptions: new JsonObject { ["capture"] = false }));
        var orderId = created.OrderId;
        var checkoutId = created.ProviderReference!;

        ShopRedirect.AssertAt(await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, created.RedirectUrl!, "pay")), "done", "authorized");
        Assert.Equal("authorized", (await app.Api.GetOrderAsync(orderId)).Status);
        Assert.Equal("reserved", (await NeuroPayShopper.CheckoutAsync(app, checkoutId))["status"]!.GetValue<string>());

        var captured = await PostAsync<OrderView>(app, $"/api/orders/{orderId}/capture", null);
        Assert.Equal("succeeded", captured.Status);
        Assert.Equal("paid", (await NeuroPayShopper.CheckoutAsync(app, checkoutId))["status"]!.GetValue<string>());

        var partial = await PostAsync<OrderView>(app, $"/api/orders/{orderId}/refunds", new { amount = "10.00", reason = "fraudulent", comment = "Card reported stolen" });
        Assert.Equal("partially_refunded", partial.Status);
        var checkout = await NeuroPayShopper.CheckoutAsync(app, checkoutId);
        Assert.Equal("partialRefund", checkout["status"]!.GetValue<string>());
        Assert.Equal(1000, checkout["refunded_amount"]!.GetValue<long>());
        var refund = Assert.Single(checkout["refunds"]!.AsArray())!;
        Assert.Equal("fraudolent", refund["reason"]!.GetValue<string>());
        Assert.Equal("Card reported stolen", refund["refundDetails"]!.GetValue<string>());

        var rest = await PostAsync<OrderView>(app, $"/api/orders/{orderId}/refunds", new { reason = "requested_by_customer" });
        Assert.Equal("refunded", rest.Status);
        Assert.Equal("refunded", (await NeuroPayShopper.CheckoutAsync(app, checkoutId))["status"]!.GetValue<string>());

        var history = (await app.Api.GetOrderAsync(orderId)).History.Select(h => h.To);
        Assert.Equal(["authorized", "succeeded", "partially_refunded", "refunded"], history);
    }

    [Fact]
    public async Task The_same_refund_request_twice_refunds_once()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay());
        var orderId = created.OrderId;
        await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, created.RedirectUrl!, "pay"));

        for (var i = 0; i < 2; i++)
        {
            var response = await app.Api.RefundAsync(orderId, new { amount = "5.00" }, key: "refund-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(500, (await NeuroPayShopper.CheckoutAsync(app, created.ProviderReference!))["refunded_amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Cancel_deletes_an_open_checkout_and_releases_a_reservation()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var open = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay("SO-2002"));
        var cancelled = await PostAsync<OrderView>(app, $"/api/orders/{open.OrderId}/cancel", null);
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal("revoked", (await NeuroPayShopper.CheckoutAsync(app, open.ProviderReference!))["status"]!.GetValue<string>());

        var held = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay("SO-2003", new JsonObject { ["capture"] = false }));
        await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, held.RedirectUrl!, "pay"));
        var released = await PostAsync<OrderView>(app, $"/api/orders/{held.OrderId}/cancel", null);
        Assert.Equal("cancelled", released.Status);
        Assert.Equal("reserve released", released.ProviderStatus);

        // Capture of a cancelled order is refused by the API before Neuro-Pay is asked.
        await PostAsync<Problem>(app, $"/api/orders/{held.OrderId}/capture", null, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Customers_are_created_read_and_deleted_and_pay_again_with_a_saved_card()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await PostAsync<CustomerView>(app, "/api/customers",
            new { provider = "neuropay", firstName = "Ada", lastName = "Lovelace", email = "ada@example.com", metadata = new { crmId = "cust_123" } },
            HttpStatusCode.Created);
        var customerId = created.Id;
        Assert.Equal("Ada", created.FirstName);
        Assert.Equal("cust_123", created.Metadata!["crmId"]);
        Assert.Empty(created.Cards);
        var clientPage = created.ClientPage;
        Assert.Equal($"{app.BaseUrl}/sandbox/neuropay/client/{customerId}", clientPage);

        // The first order lets the shopper save the card.
        var first = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay("SO-2004", new JsonObject { ["customerId"] = customerId }));
        await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, first.RedirectUrl!, "pay", saveCard: true));

        var customer = await app.Api.ExpectAsync<CustomerView>(app.Api.GetCustomerAsync(customerId), HttpStatusCode.OK);
        var card = Assert.Single(customer.Cards);
        Assert.Equal("4242", card.Last4);
        Assert.True(card.IsDefault);
        Assert.Contains("4242", await app.Client.GetStringAsync(clientPage), StringComparison.Ordinal);

        // The next one pays with the saved card at once: the redirect URL is our own return, which lands on successUrl.
        var again = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay("SO-2005", new JsonObject { ["customerId"] = customerId, ["cardId"] = card.Id }));
        var redirect = new Uri(again.RedirectUrl!);
        ShopRedirect.AssertAt(await NeuroPayShopper.FollowAsync(app, redirect), "done", "succeeded");

        var deleted = await app.Api.DeleteCustomerAsync(customerId);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetCustomerAsync(customerId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.DeleteCustomerAsync(customerId)).StatusCode);
    }

    [Theory]
    [InlineData("template", "popup")]
    [InlineData("cardId", "card_1")]
    [InlineData("captureMode", "manual")]
    public async Task Bad_provider_options_are_a_422_naming_neuropay_and_write_nothing(string key, string value)
    {
        await using var app = await TestApp.StartAsync(azurite);

        var response = await app.Api.PostOrderAsync(OrderBodies.NeuroPay(providerOptions: new JsonObject { [key] = value }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("neuropay", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task An_unknown_saved_card_is_refused_by_neuro_pay_and_the_order_recorded_failed()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var customer = await PostAsync<CustomerView>(app, "/api/customers", new { firstName = "Ada", lastName = "Lovelace", email = "ada@example.com" }, HttpStatusCode.Created);

        var response = await app.Api.PostOrderAsync(
            OrderBodies.NeuroPay(providerOptions: new JsonObject { ["customerId"] = customer.Id, ["cardId"] = "nosuchcard" }));

        Assert.False(response.IsSuccessStatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonSerializer.Deserialize<Problem>(text, app.Api.Json)!;
        Assert.Equal("failed", (await app.Api.GetOrderAsync(problem.OrderId!)).Status);
        Assert.DoesNotContain(NeuroPayShopper.SandboxApiKey, text, StringComparison.Ordinal);
    }
}
