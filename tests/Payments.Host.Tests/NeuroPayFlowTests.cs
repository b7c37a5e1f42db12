using Payments.Testing.Html;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Payments.Testing;

namespace Payments.Host.Tests;

/// <summary>Neuro-Pay end to end: the real handler, the real Neuro-Pay client, the Neuro-Pay sandbox, Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class NeuroPayFlowTests(AzuriteFixture azurite)
{
    /// <summary>The placeholder key SandboxDefaults gives the client, for reading the sandbox directly.</summary>
    private const string SandboxApiKey = "sandbox-api-key";

    internal static JsonObject OrderBody(string reference = "SO-2001", JsonObject? providerOptions = null) => new()
    {
        ["provider"] = "neuropay",
        ["merchantReference"] = reference,
        ["amount"] = "49.90",
        ["currency"] = "SEK",
        ["items"] = new JsonArray(new JsonObject
        {
            ["name"] = "Mug",
            ["sku"] = "MUG-1",
            ["quantity"] = 2,
            ["unitPrice"] = "24.95",
            ["vatRate"] = "25",
            ["type"] = "goods",
        }),
        ["customer"] = new JsonObject { ["email"] = "anna@example.se", ["firstName"] = "Anna", ["lastName"] = "Svensson" },
        ["successUrl"] = $"{TestApp.Shop}/checkout/done",
        ["failureUrl"] = $"{TestApp.Shop}/checkout/failed",
        ["providerOptions"] = providerOptions ?? new JsonObject(),
    };

    internal static async Task<JsonObject> CreateAsync(TestApp app, JsonObject body)
    {
        var response = await app.Client.PostAsJsonAsync("/api/orders", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static Task<JsonObject> GetAsync(TestApp app, string orderId) => NextPaymentFlowTests.GetAsync(app, orderId);

    /// <summary>Presses a button on the hosted checkout page; returns where Neuro-Pay sends the browser (a 303).</summary>
    internal static async Task<Uri> DecideAsync(TestApp app, string pageUrl, string decision, bool saveCard = false)
    {
        var page = await app.Client.GetAsync(pageUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = HtmlForms.Parse(await page.Content.ReadAsStringAsync()).Single(f => f.Buttons.Any(b => b.Value == decision));
        var fields = new List<KeyValuePair<string, string>> { new("decision", decision) };
        if (saveCard)
        {
            Assert.Contains(form.Inputs, i => i.Key == "save_card");
            fields.Add(new("save_card", "true"));
        }

        var answer = await app.Client.PostAsync(pageUrl, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        return answer.Headers.Location!;
    }

    /// <summary>The browser following a redirect to our return endpoint: the 303 it gets to the shop.</summary>
    internal static async Task<(string Path, Dictionary<string, string> Query)> FollowAsync(TestApp app, Uri location)
    {
        Assert.StartsWith($"{app.BaseUrl}/api/return/neuropay/", location.AbsoluteUri, StringComparison.Ordinal);
        var back = await app.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var shop = back.Headers.Location!;
        return (shop.GetLeftPart(UriPartial.Path), QueryHelpers.ParseQuery(shop.Query).ToDictionary(q => q.Key, q => q.Value.ToString()));
    }

    /// <summary>Reads a checkout straight from the sandbox API, as the merchant's Neuro-Pay account sees it.</summary>
    internal static async Task<JsonObject> CheckoutAsync(TestApp app, string checkoutId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sandbox/neuropay/checkout/retrieve")
        {
            Content = new StringContent($$"""{"checkout_id":"{{checkoutId}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SandboxApiKey);
        var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<JsonObject> PostAsync(TestApp app, string path, object? body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = body is null ? await app.Client.PostAsync(path, null) : await app.Client.PostAsJsonAsync(path, body);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode} {json.ToJsonString()}");
        return json;
    }

    private static string Status(JsonObject order) => order["status"]!.GetValue<string>();

    [Fact]
    public async Task Paying_ends_at_successUrl_as_succeeded()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app, OrderBody());
        var orderId = created["orderId"]!.GetValue<string>();
        Assert.Equal("pending", Status(created));
        Assert.Equal("neuropay", created["provider"]!.GetValue<string>());
        var redirect = created["redirectUrl"]!.GetValue<string>();
        Assert.StartsWith($"{app.BaseUrl}/sandbox/neuropay/pay/", redirect, StringComparison.Ordinal);
        Assert.Equal(created["providerReference"]!.GetValue<string>(), redirect[(redirect.LastIndexOf('/') + 1)..]);

        var location = await DecideAsync(app, redirect, "pay");
        Assert.Empty(location.Query);
        var (path, query) = await FollowAsync(app, location);

        Assert.Equal($"{TestApp.Shop}/checkout/done", path);
        Assert.Equal(orderId, query["orderId"]);
        Assert.Equal("succeeded", query["status"]);
        var order = await GetAsync(app, orderId);
        Assert.Equal("succeeded", Status(order));
        Assert.Equal("paid", order["providerStatus"]!.GetValue<string>());
        var step = Assert.Single(order["history"]!.AsArray());
        Assert.Equal("return", step!["source"]!.GetValue<string>());

        var checkout = await CheckoutAsync(app, order["providerReference"]!.GetValue<string>());
        Assert.Equal(4990, checkout["amount"]!.GetValue<long>());
        Assert.Equal("SEK", checkout["currency"]!.GetValue<string>());
        Assert.Equal("Order SO-2001", checkout["message"]!.GetValue<string>());
        Assert.Equal(orderId, checkout["metaData"]!["payments_order_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Declining_ends_at_failureUrl_as_failed()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app, OrderBody());
        var orderId = created["orderId"]!.GetValue<string>();

        var (path, query) = await FollowAsync(app, await DecideAsync(app, created["redirectUrl"]!.GetValue<string>(), "decline"));

        Assert.Equal($"{TestApp.Shop}/checkout/failed", path);
        Assert.Equal("failed", query["status"]);
        var order = await GetAsync(app, orderId);
        Assert.Equal("failed", Status(order));
        Assert.Contains("failed", order["failureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_on_the_checkout_page_ends_at_failureUrl_as_cancelled()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app, OrderBody());
        var orderId = created["orderId"]!.GetValue<string>();

        var location = await DecideAsync(app, created["redirectUrl"]!.GetValue<string>(), "cancel");
        Assert.Equal("?cancel=1", location.Query);
        var (path, query) = await FollowAsync(app, location);

        Assert.Equal($"{TestApp.Shop}/checkout/failed", path);
        Assert.Equal("cancelled", query["status"]);
        var order = await GetAsync(app, orderId);
        Assert.Equal("cancelled", Status(order));
        Assert.Equal("canceled", order["providerStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_forged_return_while_the_checkout_is_still_created_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app, OrderBody());
        var orderId = created["orderId"]!.GetValue<string>();
        var checkout = await CheckoutAsync(app, created["providerReference"]!.GetValue<string>());

        // The shopper never decides, but calls both return URLs, with a made-up checkout id and status for good measure.
        Dictionary<(string PartitionKey, string RowKey), string?>? afterFirst = null;
        foreach (var url in new[]
        {
            checkout["returnUrl"]!.GetValue<string>(),
            checkout["returnUrlCancel"]!.GetValue<string>(),
            checkout["returnUrl"]!.GetValue<string>() + "?checkout_id=ffffffffffffffffffffffffffffffff&status=paid",
        })
        {
            var (path, query) = await FollowAsync(app, new Uri(url));

            // A shopper who used the cancel link goes to the failure page, still told the truth: pending.
            var viaCancel = url == checkout["returnUrlCancel"]!.GetValue<string>();
            Assert.Equal(viaCancel ? $"{TestApp.Shop}/checkout/failed" : $"{TestApp.Shop}/checkout/done", path);
            Assert.Equal("pending", query["status"]);

            // The first return records what Neuro-Pay said ("created") on the order; nothing is written after that.
            var rows = (await app.AllRowsAsync()).ToDictionary(r => (r.PartitionKey, r.RowKey), r => (string?)r.ETag.ToString());
            Assert.Equal(afterFirst ?? rows, rows);
            afterFirst = rows;
        }

        var order = await GetAsync(app, orderId);
        Assert.Equal("pending", Status(order));
        Assert.Equal("created", order["providerStatus"]!.GetValue<string>());
        Assert.Empty(order["history"]!.AsArray());
        Assert.DoesNotContain(await app.AllRowsAsync(), r => r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reserved_then_captured_then_refunded_in_part_and_in_full()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app, OrderBody(providerOptions: new JsonObject { ["capture"] = false }));
        var orderId = created["orderId"]!.GetValue<string>();
        var checkoutId = created["providerReference"]!.GetValue<string>();

        var (path, query) = await FollowAsync(app, await DecideAsync(app, created["redirectUrl"]!.GetValue<string>(), "pay"));
        Assert.Equal($"{TestApp.Shop}/checkout/done", path);
        Assert.Equal("authorized", query["status"]);
        Assert.Equal("authorized", Status(await GetAsync(app, orderId)));
        Assert.Equal("reserved", (await CheckoutAsync(app, checkoutId))["status"]!.GetValue<string>());

        var captured = await PostAsync(app, $"/api/orders/{orderId}/capture", null);
        Assert.Equal("succeeded", Status(captured));
        Assert.Equal("paid", (await CheckoutAsync(app, checkoutId))["status"]!.GetValue<string>());

        var partial = await PostAsync(app, $"/api/orders/{orderId}/refunds", new { amount = "10.00", reason = "fraudulent", comment = "Card reported stolen" });
        Assert.Equal("partially_refunded", Status(partial));
        var checkout = await CheckoutAsync(app, checkoutId);
        Assert.Equal("partialRefund", checkout["status"]!.GetValue<string>());
        Assert.Equal(1000, checkout["refunded_amount"]!.GetValue<long>());
        var refund = Assert.Single(checkout["refunds"]!.AsArray())!;
        Assert.Equal("fraudolent", refund["reason"]!.GetValue<string>());
        Assert.Equal("Card reported stolen", refund["refundDetails"]!.GetValue<string>());

        var rest = await PostAsync(app, $"/api/orders/{orderId}/refunds", new { reason = "requested_by_customer" });
        Assert.Equal("refunded", Status(rest));
        Assert.Equal("refunded", (await CheckoutAsync(app, checkoutId))["status"]!.GetValue<string>());

        var history = (await GetAsync(app, orderId))["history"]!.AsArray().Select(h => h!["to"]!.GetValue<string>());
        Assert.Equal(["authorized", "succeeded", "partially_refunded", "refunded"], history);
    }

    [Fact]
    public async Task The_same_refund_request_twice_refunds_once()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app, OrderBody());
        var orderId = created["orderId"]!.GetValue<string>();
        await FollowAsync(app, await DecideAsync(app, created["redirectUrl"]!.GetValue<string>(), "pay"));

        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/refunds") { Content = JsonContent.Create(new { amount = "5.00" }) };
            request.Headers.Add("Idempotency-Key", "refund-1");
            var response = await app.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(500, (await CheckoutAsync(app, created["providerReference"]!.GetValue<string>()))["refunded_amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Cancel_deletes_an_open_checkout_and_releases_a_reservation()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var open = await CreateAsync(app, OrderBody("SO-2002"));
        var cancelled = await PostAsync(app, $"/api/orders/{open["orderId"]}/cancel", null);
        Assert.Equal("cancelled", Status(cancelled));
        Assert.Equal("revoked", (await CheckoutAsync(app, open["providerReference"]!.GetValue<string>()))["status"]!.GetValue<string>());

        var held = await CreateAsync(app, OrderBody("SO-2003", new JsonObject { ["capture"] = false }));
        await FollowAsync(app, await DecideAsync(app, held["redirectUrl"]!.GetValue<string>(), "pay"));
        var released = await PostAsync(app, $"/api/orders/{held["orderId"]}/cancel", null);
        Assert.Equal("cancelled", Status(released));
        Assert.Equal("reserve released", released["providerStatus"]!.GetValue<string>());

        // Capture of a cancelled order is refused by the API before Neuro-Pay is asked.
        await PostAsync(app, $"/api/orders/{held["orderId"]}/capture", null, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Customers_are_created_read_and_deleted_and_pay_again_with_a_saved_card()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await PostAsync(app, "/api/customers",
            new { provider = "neuropay", firstName = "Ada", lastName = "Lovelace", email = "ada@example.com", metadata = new { crmId = "cust_123" } },
            HttpStatusCode.Created);
        var customerId = created["id"]!.GetValue<string>();
        Assert.Equal("Ada", created["firstName"]!.GetValue<string>());
        Assert.Equal("cust_123", created["metadata"]!["crmId"]!.GetValue<string>());
        Assert.Empty(created["cards"]!.AsArray());
        var clientPage = created["clientPage"]!.GetValue<string>();
        Assert.Equal($"{app.BaseUrl}/sandbox/neuropay/client/{customerId}", clientPage);

        // The first order lets the shopper save the card.
        var first = await CreateAsync(app, OrderBody("SO-2004", new JsonObject { ["customerId"] = customerId }));
        await FollowAsync(app, await DecideAsync(app, first["redirectUrl"]!.GetValue<string>(), "pay", saveCard: true));

        var customer = (await app.Client.GetFromJsonAsync<JsonObject>($"/api/customers/{customerId}"))!;
        var card = Assert.Single(customer["cards"]!.AsArray())!;
        Assert.Equal("4242", card["last4"]!.GetValue<string>());
        Assert.True(card["isDefault"]!.GetValue<bool>());
        Assert.Contains("4242", await app.Client.GetStringAsync(clientPage), StringComparison.Ordinal);

        // The next one pays with the saved card at once: the redirect URL is our own return, which lands on successUrl.
        var again = await CreateAsync(app, OrderBody("SO-2005", new JsonObject { ["customerId"] = customerId, ["cardId"] = card["id"]!.GetValue<string>() }));
        var redirect = new Uri(again["redirectUrl"]!.GetValue<string>());
        var (path, query) = await FollowAsync(app, redirect);
        Assert.Equal($"{TestApp.Shop}/checkout/done", path);
        Assert.Equal("succeeded", query["status"]);

        var deleted = await app.Client.DeleteAsync($"/api/customers/{customerId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync($"/api/customers/{customerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.DeleteAsync($"/api/customers/{customerId}")).StatusCode);
    }

    [Theory]
    [InlineData("template", "popup")]
    [InlineData("cardId", "card_1")]
    [InlineData("captureMode", "manual")]
    public async Task Bad_provider_options_are_a_422_naming_neuropay_and_write_nothing(string key, string value)
    {
        await using var app = await TestApp.StartAsync(azurite);

        var response = await app.Client.PostAsJsonAsync("/api/orders", OrderBody(providerOptions: new JsonObject { [key] = value }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("neuropay", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task An_unknown_saved_card_is_refused_by_neuro_pay_and_the_order_recorded_failed()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var customer = await PostAsync(app, "/api/customers", new { firstName = "Ada", lastName = "Lovelace", email = "ada@example.com" }, HttpStatusCode.Created);

        var response = await app.Client.PostAsJsonAsync("/api/orders",
            OrderBody(providerOptions: new JsonObject { ["customerId"] = customer["id"]!.GetValue<string>(), ["cardId"] = "nosuchcard" }));

        Assert.False(response.IsSuccessStatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("failed", Status(await GetAsync(app, problem["orderId"]!.GetValue<string>())));
        Assert.DoesNotContain(SandboxApiKey, problem.ToJsonString(), StringComparison.Ordinal);
    }
}
