using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Payments.Core.Orders;

namespace Payments.Providers.Tests.Twisto;

/// <summary>
/// The sandbox's own surface: the control endpoint, the API refusals it answers as Twisto does, and its pages' encoding.
/// </summary>
public sealed partial class TwistoSandboxRoundTripTests
{
    [Fact]
    public async Task The_control_endpoint_flips_a_state_and_sends_the_webhook()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        using var http = new HttpClient();

        using var flipped = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/checkouts/{session.ProviderReference}/state", Json("""{"state":"completed"}"""));

        Assert.Equal(HttpStatusCode.OK, flipped.StatusCode);
        Assert.Equal("completed", JsonNode.Parse(Assert.Single(sandbox.Hooks))!["state"]!.GetValue<string>());
        Assert.Equal(PaymentStatus.Succeeded, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task The_sandbox_api_refuses_what_twisto_refuses()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.BaseUrl}/psp/") };
        const string valid = """{"config":{"redirect_uri":"https://shop.example/r"},"shopper":{"email":"a@b.cz"},"order":{"amount":"10.00","currency":"CZK"},"merchant_reference":"m"}""";

        using (var none = await http.PostAsync("v4/checkouts", Json(valid)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Authentication credentials were not provided.", JsonNode.Parse(await none.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "k");
        using (var wrongScheme = await http.PostAsync("v4/checkouts", Json(valid)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongScheme.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        const string bad = """{"type":"pay-in-four","config":{"redirect_uri":"not-a-url"},"shopper":{"first_name":"0123456789012345678901234567890123456789X"},"order":{"amount":"123456789.00","currency":"czk","items":[{"name":"x","amount":"1.00","quantity":0,"type":"goods"}]}}""";
        using (var refused = await http.PostAsync("v4/checkouts", Json(bad)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
            Assert.Equal(
                ["type", "config.redirect_uri", "shopper.first_name", "shopper.email", "order.amount", "order.currency", "order.items[0].quantity", "order.items[0].type", "merchant_reference"],
                errors.Select(e => e.Key));
        }

        using (var itemsDoNotAddUp = await http.PostAsync("v4/checkouts", Json(valid.Replace("\"currency\":\"CZK\"", "\"currency\":\"CZK\",\"items\":[{\"name\":\"x\",\"amount\":\"3.00\",\"quantity\":3,\"type\":\"sku\"}]", StringComparison.Ordinal))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, itemsDoNotAddUp.StatusCode);
        }

        using (var unknown = await http.GetAsync("v4/checkouts/nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("""{"detail":"Not found."}""", await unknown.Content.ReadAsStringAsync());
        }

        using var created = await http.PostAsync("v4/checkouts", Json(valid));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var checkout = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("created", checkout["state"]!.GetValue<string>());
        Assert.Equal(16, checkout["order"]!["reference"]!.GetValue<string>().Length);
        var id = checkout["id"]!.GetValue<string>();

        // The same Idempotency-Key with another body is a conflict; with the same body, the same answer.
        var charge = $$$"""{"authority":{"type":"checkout_id","value":"{{{id}}}"},"amount":"10.00","currency":"CZK","capture":true,"order":{"reference":"r"}}""";
        using var first = await Send(http, "v4/charges", charge, "k-1");
        using var replay = await Send(http, "v4/charges", charge, "k-1");
        using var conflict = await Send(http, "v4/charges", charge.Replace("\"r\"", "\"r2\"", StringComparison.Ordinal), "k-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("rejected", JsonNode.Parse(await first.Content.ReadAsStringAsync())!["state"]!.GetValue<string>());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        // v2: Token auth, every documented field checked, detail route with or without the slash.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        const string order = """{"order_external_id":"e1","return_url":"https://shop.example/r","order_data":{"eshop_external_id":"s","amount":"10.00"},"customer_data":{"email":"a@b.cz"}}""";
        using (var bearerOnV2 = await http.PostAsync("v2/order/", Json(order)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bearerOnV2.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "k");
        const string badOrder = """{"service":"paypal","order_external_id":"0123456789012345678901234567890123456","payment_identifier":"","return_url":"x","order_data":{"amount":"-1"},"transaction_history":[{"date":"31.12.2022","amount":"1.000","is_canceled":"no","payment_type":"cash"}],"items":[{"name":"x","quantity":1,"amount":"10.00","vat":"215.00","type":"sku"}]}""";
        using (var refused = await http.PostAsync("v2/order/", Json(badOrder)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
            Assert.Equal(
                ["service", "order_external_id", "return_url", "order_data.eshop_external_id", "order_data.amount",
                 "transaction_history[0].date", "transaction_history[0].transaction_id", "transaction_history[0].eshop_external_id",
                 "transaction_history[0].amount", "transaction_history[0].is_canceled", "transaction_history[0].payment_type",
                 "customer_data", "items[0].vat", "items[0].type"],
                errors.Select(e => e.Key));
        }

        using var createdOrder = await http.PostAsync("v2/order/", Json(order));
        Assert.Equal(HttpStatusCode.Created, createdOrder.StatusCode);
        var orderId = JsonNode.Parse(await createdOrder.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(orderId, out _));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"v2/order/{orderId}/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"v2/order/{orderId}")).StatusCode);
        using var notAccepted = await http.PostAsync($"v2/order/{orderId}/activate", null);
        Assert.Equal(HttpStatusCode.BadRequest, notAccepted.StatusCode);
    }

    [Fact]
    public async Task The_pages_encode_what_they_render()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.BaseUrl}/psp/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        var create = new JsonObject
        {
            ["config"] = new JsonObject { ["redirect_uri"] = "https://shop.example/r?a=1&b=\"><script>alert(1)</script>" },
            ["shopper"] = new JsonObject { ["email"] = "a<b>@x.cz" },
            ["order"] = new JsonObject
            {
                ["amount"] = "1.00",
                ["currency"] = "CZK",
                ["items"] = new JsonArray(new JsonObject { ["name"] = "</td><script>x()</script>", ["amount"] = "1.00", ["quantity"] = 1, ["type"] = "sku" }),
            },
            ["merchant_reference"] = "<img src=x onerror=alert(1)>",
        }.ToJsonString();
        using var created = await http.PostAsync("v4/checkouts", Json(create));
        var uri = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["uri"]!.GetValue<string>();

        using var browser = Browser();
        var html = await browser.GetStringAsync(uri);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("a<b>", html, StringComparison.Ordinal);

        // The v2 page that returns the shopper encodes the URL it points to.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "k");
        using var order = await http.PostAsync("v2/order/", Json("""{"order_external_id":"e1","return_url":"https://shop.example/r?x=\"><script>alert(1)</script>","order_data":{"eshop_external_id":"s","amount":"1.00"},"customer_data":{}}"""));
        var redirect = JsonNode.Parse(await order.Content.ReadAsStringAsync())!["redirect_url"]!.GetValue<string>();
        using var decided = await browser.PostAsync(redirect, Form("approve"));
        var decidedHtml = await decided.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", decidedHtml, StringComparison.Ordinal);
        Assert.Equal("https://shop.example/r?x=\"><script>alert(1)</script>", ReturnLink(decidedHtml));
    }
}
