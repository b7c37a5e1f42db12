using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Payments.Providers.Next;
using Payments.Providers.Tests.Next;

namespace Payments.Providers.Tests.Sandbox;

/// <summary>The real NEXT client and provider against the sandbox over HTTP, as a shopper's browser would go through it.</summary>
public sealed class NextSandboxRoundTripTests
{
    [Fact]
    public async Task Pay_comes_back_as_a_confirmed_succeeded_payment()
    {
        await using var rig = await NextSandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = NextTestKit.Order();

        var session = await provider.CreateSessionAsync(NextTestKit.SessionRequest(order), CancellationToken.None);
        Assert.StartsWith($"{rig.Sandbox.NextBaseUrl}/checkout/", session.RedirectUrl, StringComparison.Ordinal);
        Assert.Null(session.ProviderReference);

        var page = await rig.Browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("CHF 49.90", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pay\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"decline\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pending\"", page, StringComparison.Ordinal);

        var (action, response) = await rig.DecideAsync(session.RedirectUrl, "pay");
        Assert.Equal(NextTestKit.ReturnUrl.AbsoluteUri, action);

        var evidence = provider.ReadReturn(NextTestKit.Return(response));
        Assert.Equal(ClaimedOutcome.Paid, evidence.Claim);
        Assert.NotNull(evidence.ProviderReference);

        var state = await provider.ConfirmAsync(order, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("paid", state.ProviderStatus);
        Assert.Equal(evidence.ProviderReference, state.ProviderReference);

        var next = await rig.Client.GetOrderAsync(state.ProviderReference!, CancellationToken.None);
        var transaction = Assert.Single(next.Transactions!);
        Assert.Equal("succeeded", transaction.Status);
        Assert.Equal("49.90", transaction.Amount);

        // The payment page is decided once.
        using var again = await rig.Browser.PostAsync(session.RedirectUrl, NextSandboxRig.Form("pay"));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Decline_comes_back_empty_and_fails()
    {
        await using var rig = await NextSandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = NextTestKit.Order();
        var session = await rig.OpenAsync(order);

        var (_, response) = await rig.DecideAsync(session.RedirectUrl, "decline");
        Assert.Equal("{}", response);

        var evidence = provider.ReadReturn(NextTestKit.Return(response));
        var state = await provider.ConfirmAsync(order, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Failed, state.Status);
    }

    [Fact]
    public async Task A_forged_paid_claim_for_a_pending_order_is_not_trusted()
    {
        await using var rig = await NextSandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = NextTestKit.Order();
        var session = await rig.OpenAsync(order);

        var (_, response) = await rig.DecideAsync(session.RedirectUrl, "pending");
        var pending = JsonNode.Parse(response)!;
        Assert.Equal("pending", pending["payment_status"]!.GetValue<string>());

        pending["payment_status"] = "paid";
        var forged = provider.ReadReturn(NextTestKit.Return(pending.ToJsonString()));
        Assert.Equal(ClaimedOutcome.Paid, forged.Claim);

        var state = await provider.ConfirmAsync(order, forged, CancellationToken.None);
        Assert.Null(state.Status);
        Assert.Equal("pending", state.ProviderStatus);
    }

    [Fact]
    public async Task Another_orders_payment_does_not_settle_ours()
    {
        await using var rig = await NextSandboxRig.StartAsync();
        var provider = rig.Provider;
        var response = await rig.PaidCheckoutAsync(NextTestKit.Order(id: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

        var state = await provider.ConfirmAsync(NextTestKit.Order(), provider.ReadReturn(NextTestKit.Return(response)), CancellationToken.None);
        Assert.Null(state.Status);
        Assert.Null(state.ProviderReference);
    }

    [Fact]
    public async Task Upsell_lines_are_charged_on_a_paid_order()
    {
        await using var rig = await NextSandboxRig.StartAsync();
        var provider = rig.Provider;
        var response = await rig.PaidCheckoutAsync();
        var number = provider.ReadReturn(NextTestKit.Return(response)).ProviderReference!;

        var updated = await rig.Client.AddLineItemsAsync(number, new NextAddLineItemsRequest
        {
            Lines = [new NextOrderLineRequest { ProductId = 77, Quantity = 1, Price = "10.10", IsUpsell = true }],
        }, CancellationToken.None);

        Assert.Equal("60.00", updated.TotalInclTax);
        Assert.Equal(2, updated.Transactions!.Count);
        Assert.Contains(updated.Lines!, l => l.ProductId == 77 && l.IsUpsell == true);
    }

    [Fact]
    public async Task The_sandbox_api_refuses_what_next_refuses()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.NextBaseUrl}/api/admin/") };
        const string valid = """{"lines":[{"product_id":1,"quantity":1,"price":"5.00"}],"payment_method":"twint","payment_details":{"payment_return_url":"https://shop.example/return"}}""";

        using (var noToken = await http.PostAsync("orders/", Json(valid)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t");
        using (var noVersion = await http.PostAsync("orders/", Json(valid)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        }

        http.DefaultRequestHeaders.Add("X-29Next-Api-Version", "2024-04-01");
        using (var noReturnUrl = await http.PostAsync("orders/", Json("""{"lines":[{"product_id":1,"quantity":0}],"payment_method":"twint","payment_details":{}}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReturnUrl.StatusCode);
            using var errors = JsonDocument.Parse(await noReturnUrl.Content.ReadAsStringAsync());
            Assert.True(errors.RootElement.TryGetProperty("lines", out _));
            Assert.True(errors.RootElement.TryGetProperty("payment_details", out _));
        }

        using (var unknown = await http.GetAsync("orders/123/"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("""{"detail":"Not found."}""", await unknown.Content.ReadAsStringAsync());
        }

        using var created = await http.PostAsync("orders/", Json(valid));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("reference_transaction_id").ValueKind);
        Assert.StartsWith(sandbox.NextBaseUrl, body.RootElement.GetProperty("payment_complete_url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pages_encode_what_they_render()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.NextBaseUrl}/api/admin/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t");
        http.DefaultRequestHeaders.Add("X-29Next-Api-Version", "2024-04-01");
        const string returnUrl = "https://shop.example/return?a=1&b=\"><script>alert(1)</script>";
        var create = new JsonObject
        {
            ["lines"] = new JsonArray(new JsonObject { ["product_id"] = 1, ["quantity"] = 1 }),
            ["payment_method"] = "twint",
            ["payment_details"] = new JsonObject { ["payment_return_url"] = returnUrl },
            ["metadata"] = new JsonObject { ["note"] = "</script><b>x" },
        }.ToJsonString();
        using var created = await http.PostAsync("orders/", Json(create));
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var pageUrl = body.RootElement.GetProperty("payment_complete_url").GetString()!;

        using var browser = new HttpClient();
        using var decided = await browser.PostAsync(pageUrl, NextSandboxRig.Form("pay"));
        var html = await decided.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</script><b>", html, StringComparison.Ordinal);
        var (action, response) = NextSandboxRig.ParseReturnForm(html);
        Assert.Equal(returnUrl, action);
        Assert.Equal("</script><b>x", JsonNode.Parse(response)!["metadata"]!["note"]!.GetValue<string>());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

}
