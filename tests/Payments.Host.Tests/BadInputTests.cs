using System.Net.Http.Headers;

namespace Payments.Host.Tests;

/// <summary>Every bad input is a 4xx problem response and leaves no row behind.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class BadInputTests(AzuriteFixture azurite)
{
    private static string With(Action<JsonObject> change)
    {
        var body = OrderBodies.Next();
        change(body);
        return body.ToJsonString();
    }

    public static TheoryData<string, string, int, string> BadBodies() => new()
    {
        { "not JSON", "{\"provider\": ", 400, "malformed-json" },
        { "a JSON array", "[]", 400, "malformed-json" },
        { "empty body", "", 400, "malformed-json" },
        { "trailing comma", With(_ => { }).TrimEnd('}') + ",}", 400, "malformed-json" },
        { "duplicate property", "{\"provider\":\"next\"," + With(_ => { })[1..], 400, "malformed-json" },
        { "unknown property", With(b => b["amountt"] = "1.00"), 400, "malformed-json" },
        { "amount as a number", With(b => b["amount"] = 49.90), 400, "malformed-json" },
        { "quantity as a string", With(b => b["items"]![0]!["quantity"] = "2"), 400, "malformed-json" },
        { "negative amount", With(b => { b["amount"] = "-49.90"; b.Remove("items"); }), 400, "validation-failed" },
        { "over-precise amount", With(b => { b["amount"] = "49.901"; b.Remove("items"); }), 400, "validation-failed" },
        { "unknown provider", With(b => b["provider"] = "paypal"), 400, "validation-failed" },
        { "unknown currency", With(b => b["currency"] = "XYZ"), 400, "validation-failed" },
        { "slash in reference", With(b => b["merchantReference"] = "SO/1"), 400, "validation-failed" },
        { "backslash in reference", With(b => b["merchantReference"] = "SO\\1"), 400, "validation-failed" },
        { "hash in reference", With(b => b["merchantReference"] = "SO#1"), 400, "validation-failed" },
        { "question mark in reference", With(b => b["merchantReference"] = "SO?1"), 400, "validation-failed" },
        { "control character in reference", With(b => b["merchantReference"] = "SO\u00071"), 400, "validation-failed" },
        { "redirect to another origin", With(b => b["successUrl"] = "https://evil.example/done"), 422, "unprocessable" },
        { "items not adding up", With(b => b["amount"] = "50.00"), 422, "unprocessable" },
        { "TWINT in euros", With(b => b["currency"] = "EUR"), 422, "unprocessable" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_create_request_is_a_problem_and_writes_nothing(string why, string body, int status, string type)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var response = await app.Client.PostAsync("/api/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsAsync(response, status, type, why);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task A_2_MiB_body_is_a_413_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var huge = With(b => b["metadata"] = new JsonObject { ["pad"] = new string('x', 2 * 1024 * 1024) });
        var response = await app.Client.PostAsync("/api/orders", new StringContent(huge, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsAsync(response, 413, "body-too-large", "2 MiB");

        // The same without a Content-Length (chunked): the limit holds while reading.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await ProblemAssert.IsAsync(await app.Client.SendAsync(request), 413, "body-too-large", "chunked 2 MiB");
        Assert.Empty(await app.AllRowsAsync());
    }

    [Theory]
    [InlineData("SO/1")]
    [InlineData("SO\\1")]
    [InlineData("SO#1")]
    [InlineData("SO?1")]
    [InlineData("SO\t1")]
    public async Task A_bad_idempotency_key_is_a_400_and_writes_nothing(string key)
    {
        await using var app = await TestApp.StartAsync(azurite);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(OrderBodies.Next()) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        await ProblemAssert.IsAsync(await app.Client.SendAsync(request), 400, "invalid-header", key);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_415()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var response = await app.Client.PostAsync("/api/orders", new StringContent("provider=next", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await ProblemAssert.IsAsync(response, 415, "unsupported-media-type", "form body");
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task Merchant_endpoints_require_a_configured_api_key()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Api:Keys:0"] = "merchant-key-1" });
        await ProblemAssert.IsAsync(await app.Client.PostAsJsonAsync("/api/orders", OrderBodies.Next()), 401, "unauthorized", "no key");
        await ProblemAssert.IsAsync(await app.Client.GetAsync("/api/orders/ord_0000000000000000000000000000000f"), 401, "unauthorized", "no key on GET");

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(OrderBodies.Next()) };
        wrong.Headers.Add("X-Api-Key", "merchant-key-2");
        await ProblemAssert.IsAsync(await app.Client.SendAsync(wrong), 401, "unauthorized", "wrong key");
        Assert.Empty(await app.AllRowsAsync());

        using var right = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(OrderBodies.Next()) };
        right.Headers.Add("X-Api-Key", "merchant-key-1");
        Assert.Equal(HttpStatusCode.Created, (await app.Client.SendAsync(right)).StatusCode);
    }

    [Fact]
    public async Task An_oversized_return_body_is_a_413_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var before = await app.RowVersionsAsync();

        var big = form with { Inputs = [.. form.Inputs, new("pad", new string('x', 300 * 1024))] };
        var response = await Shopper.ReturnAsync(app.Client, big);
        await ProblemAssert.IsAsync(response, 413, "body-too-large", "300 KiB return");
        Assert.Equal(before, await app.RowVersionsAsync());
    }

    [Fact]
    public async Task A_garbage_return_body_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        foreach (var garbage in new[] { "not json", "[1,2]", "{\"number\": {\"$gt\": \"\"}}", "{\"number\": \"../../x\"}" })
        {
            var response = await Shopper.ReturnAsync(app.Client, form with { Inputs = [new("response", garbage)] });
            Assert.True((int)response.StatusCode is 303 or (>= 400 and < 500), $"{garbage}: {(int)response.StatusCode}");
        }

        // Whatever the garbage said, only NEXT's word counts; the genuine return still settles the order.
        var genuine = await Shopper.ReturnAsync(app.Client, form);
        Assert.Equal(HttpStatusCode.SeeOther, genuine.StatusCode);
        var order = await app.Api.GetOrderAsync(created.OrderId);
        Assert.Equal("succeeded", order.Status);
    }
}
