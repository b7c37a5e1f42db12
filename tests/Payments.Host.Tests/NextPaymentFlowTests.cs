using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Payments.Testing;

namespace Payments.Host.Tests;

/// <summary>TWINT through NEXT end to end: the real handler, the real NEXT client, the NEXT sandbox, Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class NextPaymentFlowTests(AzuriteFixture azurite)
{
    public static JsonObject OrderBody(string reference = "SO-1001") => new()
    {
        ["provider"] = "next",
        ["merchantReference"] = reference,
        ["amount"] = "49.90",
        ["currency"] = "CHF",
        ["items"] = new JsonArray(new JsonObject
        {
            ["name"] = "Mug",
            ["sku"] = "101",
            ["quantity"] = 2,
            ["unitPrice"] = "24.95",
            ["vatRate"] = "8.1",
            ["type"] = "goods",
        }),
        ["customer"] = new JsonObject { ["email"] = "anna@example.ch", ["firstName"] = "Anna", ["lastName"] = "Muster" },
        ["successUrl"] = $"{TestApp.Shop}/checkout/done",
        ["failureUrl"] = $"{TestApp.Shop}/checkout/failed",
    };

    public static async Task<JsonObject> CreateAsync(TestApp app, JsonObject? body = null, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body ?? OrderBody()) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"/api/orders/{order["orderId"]}", response.Headers.Location!.OriginalString);
        return order;
    }

    public static async Task<JsonObject> GetAsync(TestApp app, string orderId) =>
        (await app.Client.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}"))!;

    private static (string Path, Dictionary<string, string> Query) Split(Uri location)
    {
        var query = QueryHelpers.ParseQuery(location.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        return (location.GetLeftPart(UriPartial.Path), query);
    }

    [Fact]
    public async Task Paying_in_the_sandbox_ends_at_successUrl_as_succeeded_with_history_and_a_stored_row()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();
        Assert.Equal("pending", created["status"]!.GetValue<string>());
        Assert.Equal("next", created["provider"]!.GetValue<string>());
        Assert.StartsWith($"{app.BaseUrl}/sandbox/next/", created["redirectUrl"]!.GetValue<string>());
        Assert.NotNull(created["expiresAt"]);

        var back = await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var (path, query) = Split(back.Headers.Location!);
        Assert.Equal($"{TestApp.Shop}/checkout/done", path);
        Assert.Equal(orderId, query["orderId"]);
        Assert.Equal("succeeded", query["status"]);

        var order = await GetAsync(app, orderId);
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        Assert.Equal("49.90", order["amount"]!.GetValue<string>());
        Assert.NotNull(order["providerReference"]);
        var step = Assert.Single(order["history"]!.AsArray());
        Assert.Equal("pending", step!["from"]!.GetValue<string>());
        Assert.Equal("succeeded", step["to"]!.GetValue<string>());
        Assert.Equal("return", step["source"]!.GetValue<string>());

        var rows = await app.AllRowsAsync();
        var orderRow = Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey == "order");
        Assert.Equal("succeeded", orderRow.GetString("Status"));
        Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Declining_in_the_sandbox_ends_at_failureUrl_as_failed()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();

        var back = await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "decline");

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var (path, query) = Split(back.Headers.Location!);
        Assert.Equal($"{TestApp.Shop}/checkout/failed", path);
        Assert.Equal("failed", query["status"]);
        Assert.Equal("failed", (await GetAsync(app, orderId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_return_claiming_payment_while_NEXT_says_pending_does_not_mark_the_order_paid()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();

        // The shopper leaves the payment pending at NEXT, then forges the return: same order, payment_status "paid".
        var form = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pending");
        var claim = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();
        claim["payment_status"] = "paid";
        claim["status"] = "open";
        var forged = form with { Inputs = [new("response", claim.ToJsonString())] };

        var back = await Shopper.ReturnAsync(app.Client, forged);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("pending", Split(back.Headers.Location!).Query["status"]);
        var order = await GetAsync(app, orderId);
        Assert.Equal("pending", order["status"]!.GetValue<string>());
        Assert.Empty(order["history"]!.AsArray());
    }

    [Fact]
    public async Task A_return_with_a_wrong_token_is_a_404_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();
        var form = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pay");
        var before = (await app.AllRowsAsync()).ToDictionary(r => (r.PartitionKey, r.RowKey), r => (string?)r.ETag.ToString());

        var genuine = new Uri(form.Action);
        var token = genuine.Segments[^1];
        var wrongToken = (token[0] == 'A' ? "B" : "A") + token[1..];
        var attempts = new[]
        {
            genuine.AbsoluteUri.Replace(token, wrongToken, StringComparison.Ordinal),
            genuine.AbsoluteUri.Replace(token, "", StringComparison.Ordinal) + "x",
            genuine.AbsoluteUri.Replace(orderId, "ord_0000000000000000000000000000000f", StringComparison.Ordinal),
            genuine.AbsoluteUri.Replace("/next/", "/twisto/", StringComparison.Ordinal),
        };
        foreach (var url in attempts)
        {
            var response = await Shopper.ReturnAsync(app.Client, form with { Action = url });
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        var after = (await app.AllRowsAsync()).ToDictionary(r => (r.PartitionKey, r.RowKey), r => (string?)r.ETag.ToString());
        Assert.Equal(before, after);
        Assert.Equal("pending", (await GetAsync(app, orderId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Fifty_concurrent_identical_returns_record_exactly_one_transition()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();
        var form = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pay");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Shopper.ReturnAsync(app.Client, form)));

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.SeeOther, r.StatusCode);
            Assert.Equal("succeeded", Split(r.Headers.Location!).Query["status"]);
        });
        var order = await GetAsync(app, orderId);
        Assert.Single(order["history"]!.AsArray());
        var rows = await app.AllRowsAsync();
        Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_key_and_body_returns_the_same_order_and_another_body_is_a_409()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var first = await CreateAsync(app, key: "key-1");

        var again = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(OrderBody()),
            Headers = { { "Idempotency-Key", "key-1" } },
        });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replay = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(first["orderId"]!.GetValue<string>(), replay["orderId"]!.GetValue<string>());
        Assert.Equal(first["redirectUrl"]!.GetValue<string>(), replay["redirectUrl"]!.GetValue<string>());

        var other = OrderBody();
        other["metadata"] = new JsonObject { ["note"] = "different" };
        var conflict = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(other),
            Headers = { { "Idempotency-Key", "key-1" } },
        });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var problem = (await conflict.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("urn:payments:problem:idempotency-key-reused", problem["type"]!.GetValue<string>());

        // One order row, one key row: nothing else was created, here or at NEXT.
        var rows = await app.AllRowsAsync();
        Assert.Single(rows, r => r.RowKey == "order");
        Assert.Single(rows, r => r.RowKey == "idem");
    }

    [Fact]
    public async Task Without_a_header_the_merchant_reference_is_the_idempotency_key()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var first = await CreateAsync(app);
        var again = await app.Client.PostAsJsonAsync("/api/orders", OrderBody());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first["orderId"]!.GetValue<string>(), (await again.Content.ReadFromJsonAsync<JsonObject>())!["orderId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_is_a_502_and_the_order_is_recorded_failed()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Providers:Next:BaseUrl"] = "http://127.0.0.1:9", // discard port: connection refused
        });
        var response = await app.Client.PostAsJsonAsync("/api/orders", OrderBody());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("urn:payments:problem:provider-unavailable", problem["type"]!.GetValue<string>());
        var order = await GetAsync(app, problem["orderId"]!.GetValue<string>());
        Assert.Equal("failed", order["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(order["failureReason"]!.GetValue<string>()));
        Assert.DoesNotContain("sandbox-access-token", order.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_storage_and_the_host_probe_answers_with_json()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var health = await app.Client.GetFromJsonAsync<JsonObject>("/api/health");
        Assert.Equal("healthy", health!["status"]!.GetValue<string>());
        var probe = await app.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("application/json", probe.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task An_unknown_order_is_a_404_problem()
    {
        await using var app = await TestApp.StartAsync(azurite);
        foreach (var id in new[] { "ord_0000000000000000000000000000000f", "nope", "ord_%2F..%2F" })
        {
            var response = await app.Client.GetAsync($"/api/orders/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    internal static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
