using System.Security.Cryptography;

namespace Payments.Host.Tests;

/// <summary>
/// Issue 8: hostile input that used to reach a 500. Each is now a 4xx problem (or, for the shopper's return, a
/// 303) and writes nothing.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class HostileInputTests(AzuriteFixture azurite)
{
    /// <summary>A lone high surrogate, as JSON text (the escape itself, not a character).</summary>
    public const string LoneSurrogate = "\\ud800";

    /// <summary>10 items of 100000 × 100000000000.00: each line fits a long, their sum does not.</summary>
    internal static JsonArray OverflowingItems() => new(Enumerable.Range(0, 10)
        .Select(i => (JsonNode)new JsonObject { ["name"] = $"Gold {i}", ["quantity"] = 100_000, ["unitPrice"] = "100000000000.00" })
        .ToArray());

    [Fact]
    public async Task Items_whose_total_overflows_a_long_are_a_400_on_create_and_write_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var body = OrderBodies.Next();
        body["items"] = OverflowingItems();
        var response = await app.Client.PostAsync("/api/orders", Json(body.ToJsonString()));
        await ProblemAssert.IsAsync(response, 400, "validation-failed", "overflowing items");
        Assert.Empty(await app.AllRowsAsync());
    }

    [Theory]
    [InlineData("upsells", """{"items": ITEMS}""")]
    [InlineData("recurring-charges", """{"amount": "10.00", "items": ITEMS}""")]
    public async Task Items_whose_total_overflows_a_long_are_a_400_on_a_charge_even_for_a_failed_order(string path, string template)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (orderId, _) = await NextOrders.FailedAsync(app);
        var before = await app.RowVersionsAsync();
        var response = await app.Client.PostAsync($"/api/orders/{orderId}/{path}", Json(template.Replace("ITEMS", OverflowingItems().ToJsonString(), StringComparison.Ordinal)));
        await ProblemAssert.IsAsync(response, 400, "validation-failed", path);
        Assert.Equal(before, await app.RowVersionsAsync());
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_provider_option_is_a_400_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var body = OrderBodies.Next();
        body["providerOptions"] = new JsonObject { ["note"] = "SURROGATE" };
        var response = await app.Client.PostAsync("/api/orders", Json(body.ToJsonString().Replace("SURROGATE", LoneSurrogate, StringComparison.Ordinal)));
        await ProblemAssert.IsAsync(response, 400, "validation-failed", "surrogate in providerOptions");
        Assert.Empty(await app.AllRowsAsync());
    }

    /// <remarks>A name that is not valid UTF-16 after the one looked up makes even <c>TryGetProperty</c> throw (it searches from the end).</remarks>
    [Theory]
    [InlineData("{\"number\": \"S\"}")]
    [InlineData("{\"number\": \"10001\", \"payment_status\": \"S\"}")]
    [InlineData("{\"number\": \"10001\", \"payment_status\": \"paid\", \"S\": 1}")]
    public async Task A_lone_surrogate_in_a_NEXT_return_is_only_an_unreadable_claim(string response)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (_, form) = await NextOrders.FailedAsync(app);
        var before = await app.RowVersionsAsync();
        var garbage = form with { Inputs = [new("response", response.Replace("S", LoneSurrogate, StringComparison.Ordinal))] };
        var back = await Shopper.ReturnAsync(app.Client, garbage);
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal(before, await app.RowVersionsAsync());
    }

    [Theory]
    [InlineData("{\"data\": {\"number\": \"S\"}}")]
    [InlineData("{\"S\": 1}")]
    public async Task An_unsigned_NEXT_webhook_with_a_lone_surrogate_is_a_401(string body)
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/next") { Content = Json(body.Replace("S", LoneSurrogate, StringComparison.Ordinal)) };
        request.Headers.Add("X-29Next-Signature", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        await ProblemAssert.IsAsync(await app.Client.SendAsync(request), 401, "webhook-unauthenticated", "unsigned surrogate");
        Assert.Empty(await app.AllRowsAsync());
    }

    [Theory]
    [InlineData("{\"event_type\": \"order.created\", \"event_id\": \"S\", \"data\": {\"number\": \"10001\"}}")]
    [InlineData("{\"event_type\": \"order.created\", \"data\": {\"number\": \"10001\", \"metadata\": {\"payments_order_id\": \"S\"}}}")]
    [InlineData("{\"event_type\": \"S\", \"data\": {}}")]
    [InlineData("{\"S\": 1, \"event_type\": \"order.created\", \"data\": {\"number\": \"10001\"}}")]
    [InlineData("{\"event_type\": \"order.created\", \"data\": {\"number\": \"10001\"}, \"S\": 1}")]
    [InlineData("{\"event_type\": \"order.created\", \"data\": {\"number\": \"10001\", \"S\": 1}}")]
    public async Task A_signed_NEXT_webhook_with_a_lone_surrogate_is_malformed(string template)
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var body = template.Replace("S", LoneSurrogate, StringComparison.Ordinal);
        using var request = NextWebhooks.Request(body);
        await ProblemAssert.IsAsync(await app.Client.SendAsync(request), 400, "webhook-malformed", "signed surrogate");
        Assert.Empty(await app.AllRowsAsync());
    }

    [Theory]
    [InlineData("{\"checkout_id\": \"S\", \"state\": \"completed\"}")]
    [InlineData("{\"S\": \"x\", \"checkout_id\": \"chk_1\"}")]
    public async Task A_Twisto_webhook_with_a_lone_surrogate_is_malformed(string template)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var response = await app.Client.PostAsync("/api/webhooks/twisto", Json(template.Replace("S", LoneSurrogate, StringComparison.Ordinal)));
        await ProblemAssert.IsAsync(response, 400, "webhook-malformed", "twisto surrogate");
        Assert.Empty(await app.AllRowsAsync());
    }

    public static TheoryData<string> ChunkedTargets() => new()
    {
        "/api/orders",
        "/api/orders/ord_0000000000000000000000000000000f/refunds",
        "/api/orders/ord_0000000000000000000000000000000f/upsells",
        "/api/customers",
        "/api/webhooks/next",
        "/api/webhooks/twisto",
    };

    [Theory]
    [MemberData(nameof(ChunkedTargets))]
    public async Task A_chunk_size_that_overflows_is_a_400_problem(string target)
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings());
        var response = await RawHttp.SendAsync(app.BaseUrl, "POST", target,
            [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")], "ffffffffffffffffff\r\n{}\r\n0\r\n\r\n"u8.ToArray());
        AssertProblem(response, 400, target);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task A_chunk_size_that_overflows_on_a_return_is_a_400_problem()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (_, form) = await NextOrders.FailedAsync(app);
        var before = await app.RowVersionsAsync();
        var response = await RawHttp.SendAsync(app.BaseUrl, "POST", new Uri(form.Action).PathAndQuery,
            [("Content-Type", "application/x-www-form-urlencoded"), ("Transfer-Encoding", "chunked")], "ffffffffffffffffff\r\nresponse=%7B%7D\r\n0\r\n\r\n"u8.ToArray());
        AssertProblem(response, 400, "return");
        Assert.Equal(before, await app.RowVersionsAsync());
    }

    [Theory]
    [InlineData("application/jsonx")]
    [InlineData("application/json-seq")]
    [InlineData("application/jsonp")]
    [InlineData("application/json5")]
    [InlineData("application/+json")]
    [InlineData("application/x+jsonx")]
    [InlineData("text/json")]
    [InlineData("application/json; charset=utf-16")]
    public async Task A_content_type_that_only_starts_like_JSON_is_a_415(string contentType)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(OrderBodies.Next().ToJsonString()));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        await ProblemAssert.IsAsync(await app.Client.PostAsync("/api/orders", content), 415, "unsupported-media-type", contentType);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;charset=\"UTF-8\"")]
    [InlineData("application/merge-patch+json")]
    [InlineData("application/vnd.shop.order+json; version=1")]
    public async Task JSON_and_structured_JSON_types_with_parameters_are_accepted(string contentType)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(OrderBodies.Next().ToJsonString()));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await app.Client.PostAsync("/api/orders", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{contentType}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("GET", "/api/nope", 404)]
    [InlineData("GET", "/api/orders/ord_1/nope", 404)]
    [InlineData("DELETE", "/api/orders", 405)]
    [InlineData("PUT", "/api/orders/ord_0000000000000000000000000000000f", 405)]
    [InlineData("PATCH", "/api/webhooks/next", 405)]
    public async Task The_apps_own_404_and_405_are_problems_whatever_the_Accept(string method, string path, int status)
    {
        await using var app = await TestApp.StartAsync(azurite);
        foreach (var accept in new[] { "text/html", "text/plain", "*/*", "application/json", "image/png" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            var response = await app.Client.SendAsync(request);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            Assert.StartsWith("urn:payments:problem:", problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(status, problem["status"]!.GetValue<int>());
        }
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    internal static void AssertProblem(RawResponse response, int status, string why)
    {
        Assert.True(status == response.Status, $"{why}: expected {status}, got {response.Status}: {response.Body}");
        Assert.StartsWith("application/problem+json", response.ContentType ?? string.Empty, StringComparison.Ordinal);
        var problem = JsonNode.Parse(response.Body)!.AsObject();
        Assert.StartsWith("urn:payments:problem:", problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(status, problem["status"]!.GetValue<int>());
    }
}
