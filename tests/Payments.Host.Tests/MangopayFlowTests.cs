namespace Payments.Host.Tests;

/// <summary>
/// TWINT through Mangopay end to end: the real handler, the real Mangopay client (OAuth, idempotency keys), the
/// Mangopay sandbox (hosted TWINT page, hooks), Azurite.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class MangopayFlowTests(AzuriteFixture azurite)
{
    /// <summary>The hosted page's Pay and Decline fire hooks by default; tests of the return alone turn that off.</summary>
    private static Dictionary<string, string?> ReturnOnly() => new() { ["Sandbox:Mangopay:HookOnDecision"] = "false" };

    private static async Task<(string OrderId, string RedirectUrl, string PayInId)> CreateAsync(TestApp app, JsonObject? body = null)
    {
        var created = await app.Api.CreateOrderAsync(body ?? OrderBodies.Mangopay());
        var orderId = created.OrderId;
        Assert.Equal("pending", created.Status);
        Assert.Equal("mangopay", created.Provider);
        var redirectUrl = created.RedirectUrl!;
        Assert.StartsWith($"{app.BaseUrl}/sandbox/mangopay/twint/", redirectUrl, StringComparison.Ordinal);
        var payInId = created.ProviderReference!;
        Assert.StartsWith("wt_", payInId, StringComparison.Ordinal);
        return (orderId, redirectUrl, payInId);
    }

    /// <summary>Presses a button on the hosted TWINT page; returns where Mangopay sends the browser (a plain 302).</summary>
    private static async Task<Uri> DecideAsync(TestApp app, string redirectUrl, string decision)
    {
        using var page = await app.Client.GetAsync(redirectUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = HtmlForms.Parse(await page.Content.ReadAsStringAsync()).Single(f => f.Buttons.Any(b => b.Value == decision));
        var button = form.Buttons.Single(b => b.Value == decision);
        var action = string.IsNullOrEmpty(form.Action) ? new Uri(redirectUrl) : new Uri(new Uri(redirectUrl), form.Action);
        using var answer = await app.Client.PostAsync(action, new FormUrlEncodedContent(form.Inputs.Append(new(button.Name, button.Value))));
        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        return answer.Headers.Location!;
    }

    private static Task<HttpResponseMessage> ReturnAsync(TestApp app, Uri location) => app.Client.GetAsync(location);

    private static async Task<Order> StoredAsync(TestApp app, string orderId) =>
        (await app.Service<IOrderStore>().GetAsync(orderId, CancellationToken.None))!.Order;

    private static async Task<JsonObject> SetStatusAsync(TestApp app, string payInId, string body)
    {
        using var response = await app.Client.PostAsync($"/sandbox/mangopay/_sandbox/payins/{payInId}/status",
            new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<OrderView> WaitForStatusAsync(TestApp app, string orderId, string status)
    {
        for (var i = 0; ; i++)
        {
            var order = await app.Api.GetOrderAsync(orderId);
            if (order.Status == status || i == 50)
            {
                return order;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Paying_comes_back_with_the_transaction_id_and_ends_at_successUrl_as_succeeded()
    {
        await using var app = await TestApp.StartAsync(azurite, ReturnOnly());
        var before = DateTimeOffset.UtcNow;
        var (orderId, redirectUrl, payInId) = await CreateAsync(app);

        var location = await DecideAsync(app, redirectUrl, "pay");
        Assert.StartsWith($"{app.BaseUrl}/api/return/mangopay/{orderId}/", location.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(payInId, ShopRedirect.Split(location).Query["transactionId"]);

        using var back = await ReturnAsync(app, location);
        ShopRedirect.AssertSentTo(back, "done", "succeeded");

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal(payInId, order.ProviderReference);
        Assert.Equal("SUCCEEDED", order.ProviderStatus);
        var expiresAt = order.ExpiresAt!.Value;
        Assert.InRange(expiresAt, before.AddMinutes(15).AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(15).AddSeconds(5));
        var step = Assert.Single(order.History);
        Assert.Equal("return", step.Source);
        var stored = await StoredAsync(app, orderId);
        Assert.Equal("000000", stored.ProviderData["result_code"]);
        Assert.Equal("Success", stored.ProviderData["result_message"]);
    }

    [Fact]
    public async Task Declining_ends_at_failureUrl_as_failed_with_mangopays_result_on_the_order()
    {
        await using var app = await TestApp.StartAsync(azurite, ReturnOnly());
        var (orderId, redirectUrl, _) = await CreateAsync(app);

        using var back = await ReturnAsync(app, await DecideAsync(app, redirectUrl, "decline"));

        ShopRedirect.AssertSentTo(back, "failed", "failed");
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("failed", order.Status);
        Assert.Equal("FAILED", order.ProviderStatus);
        Assert.Equal("Mangopay pay-in FAILED: 101002 The transaction has been cancelled by the user", order.FailureReason);
        Assert.Equal(order.FailureReason, order.History[0].Reason);
        var stored = await StoredAsync(app, orderId);
        Assert.Equal("101002", stored.ProviderData["result_code"]);
        Assert.Equal("The transaction has been cancelled by the user", stored.ProviderData["result_message"]);
    }

    [Fact]
    public async Task A_return_naming_a_payin_still_CREATED_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite, ReturnOnly());
        var (orderId, redirectUrl, payInId) = await CreateAsync(app);

        // The shopper leaves TWINT pending and comes back (or replays the return URL by hand): nothing is decided.
        var location = await DecideAsync(app, redirectUrl, "pending");
        Assert.Equal(payInId, ShopRedirect.Split(location).Query["transactionId"]);
        using var back = await ReturnAsync(app, location);
        using var again = await ReturnAsync(app, location);

        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal("pending", ShopRedirect.Split(again.Headers.Location!).Query["status"]);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("pending", order.Status);
        Assert.Equal("CREATED", order.ProviderStatus);
        Assert.Empty(order.History);
    }

    [Fact]
    public async Task A_return_naming_another_orders_paid_payin_changes_neither_order()
    {
        await using var app = await TestApp.StartAsync(azurite, ReturnOnly());
        var (paidId, paidRedirect, paidPayIn) = await CreateAsync(app, OrderBodies.Mangopay("SO-2001"));
        var (ourId, ourRedirect, ourPayIn) = await CreateAsync(app, OrderBodies.Mangopay("SO-2002"));
        await DecideAsync(app, paidRedirect, "pay");

        // Our genuine return URL (signed for our order), with the other order's paid pay-in swapped in.
        var ours = await DecideAsync(app, ourRedirect, "pending");
        var forged = new Uri(ours.AbsoluteUri.Replace(ourPayIn, paidPayIn, StringComparison.Ordinal));
        Assert.NotEqual(ours, forged);
        using var back = await ReturnAsync(app, forged);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("pending", ShopRedirect.Split(back.Headers.Location!).Query["status"]);
        var order = await app.Api.GetOrderAsync(ourId);
        Assert.Equal("pending", order.Status);
        Assert.Equal(ourPayIn, order.ProviderReference);
        Assert.Empty(order.History);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(paidId)).Status);
    }

    [Fact]
    public async Task A_hook_for_a_succeeded_payin_settles_its_order_although_the_shopper_never_came_back()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (orderId, _, payInId) = await CreateAsync(app);

        // Mangopay's side finishes (the shopper paid in the TWINT app and closed the browser); the sandbox sends
        // the platform's hook to this host's /api/webhooks/mangopay.
        var settled = await SetStatusAsync(app, payInId, """{"Status":"SUCCEEDED"}""");
        Assert.Equal(200, settled["Hook"]!["StatusCode"]!.GetValue<int>());
        Assert.StartsWith($"{app.BaseUrl}/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId={payInId}&Date=",
            settled["Hook"]!["Url"]!.GetValue<string>(), StringComparison.Ordinal);

        var order = await WaitForStatusAsync(app, orderId, "succeeded");
        Assert.Equal("succeeded", order.Status);
        var step = Assert.Single(order.History);
        Assert.Equal("webhook", step.Source);

        // Mangopay retries hooks: the same one again is a 200 and changes nothing.
        var hookUrl = settled["Hook"]!["Url"]!.GetValue<string>();
        using var repeat = await app.Client.GetAsync(hookUrl);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Single((await app.Api.GetOrderAsync(orderId)).History);
    }

    [Fact]
    public async Task A_failed_hook_fails_the_order_and_a_forged_success_hook_for_a_CREATED_payin_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (failedId, _, failedPayIn) = await CreateAsync(app, OrderBodies.Mangopay("SO-2001"));
        var (openId, _, openPayIn) = await CreateAsync(app, OrderBodies.Mangopay("SO-2002"));

        await SetStatusAsync(app, failedPayIn, """{"Status":"FAILED","ResultCode":"101001","ResultMessage":"The user has not completed the transaction"}""");
        using var forged = await app.Client.GetAsync($"/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId={openPayIn}&Date=1718010000");

        var failed = await WaitForStatusAsync(app, failedId, "failed");
        Assert.Equal("failed", failed.Status);
        Assert.Contains("101001", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        var open = await app.Api.GetOrderAsync(openId);
        Assert.Equal("pending", open.Status);
        Assert.Empty(open.History);
    }

    [Fact]
    public async Task Hooks_that_are_not_about_a_payin_outcome_or_not_readable_are_answered_without_a_change()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (orderId, _, payInId) = await CreateAsync(app);
        var before = await app.RowVersionsAsync();

        using var created = await app.Client.GetAsync($"/api/webhooks/mangopay?EventType=PAYIN_NORMAL_CREATED&RessourceId={payInId}&Date=1718010000");
        using var unknown = await app.Client.GetAsync("/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId=wt_unknown&Date=1718010000");
        using var missing = await app.Client.GetAsync($"/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId={payInId}");
        using var garbage = await app.Client.GetAsync("/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId=%3Cscript%3E&Date=1");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("ignored", (await app.Api.ReadAsync<WebhookAck>(created)).Status);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(before, await app.RowVersionsAsync());
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task With_hooks_on_the_return_and_the_hook_agree_on_one_transition()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (orderId, redirectUrl, _) = await CreateAsync(app);

        using var back = await ReturnAsync(app, await DecideAsync(app, redirectUrl, "pay"));

        Assert.Equal("succeeded", ShopRedirect.Split(back.Headers.Location!).Query["status"]);
        await Task.Delay(500); // let the background hook arrive
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Single(order.History);
    }

    [Fact]
    public async Task A_partial_refund_makes_the_order_partially_refunded_and_the_rest_refunded()
    {
        await using var app = await TestApp.StartAsync(azurite, ReturnOnly());
        var (orderId, redirectUrl, payInId) = await CreateAsync(app);
        using var back = await ReturnAsync(app, await DecideAsync(app, redirectUrl, "pay"));

        using var first = await app.Api.RefundAsync(orderId, new { amount = "10.00", reason = "requested_by_customer" }, key: "refund-1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("partially_refunded", (await app.Api.ReadAsync<OrderView>(first)).Status);

        // The same request again (same Idempotency-Key) refunds nothing more.
        using var repeat = await app.Api.RefundAsync(orderId, new { amount = "10.00", reason = "requested_by_customer" }, key: "refund-1");
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var stored = await StoredAsync(app, orderId);
        var refund = Assert.Single(stored.Refunds);
        Assert.Equal(1000, refund.AmountMinor);
        Assert.Equal(RefundRecordOutcome.Succeeded, refund.Outcome);
        Assert.StartsWith("rf_", refund.ProviderRefundId, StringComparison.Ordinal);
        Assert.Equal("SUCCEEDED", refund.ProviderStatus);

        // Too much is refused before Mangopay is asked; the rest is refunded in full.
        using var tooMuch = await app.Api.RefundAsync(orderId, new { amount = "40.00" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch.StatusCode);
        using var rest = await app.Api.RefundAsync(orderId);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal("refunded", (await app.Api.ReadAsync<OrderView>(rest)).Status);
        var done = await StoredAsync(app, orderId);
        Assert.Equal([1000L, 3990L], done.Refunds.Select(r => r.AmountMinor));
        Assert.All(done.Refunds, r => Assert.Equal(RefundRecordOutcome.Succeeded, r.Outcome));
        Assert.Equal(payInId, done.ProviderReference);
    }

    [Fact]
    public async Task A_refund_before_payment_is_refused_without_asking_mangopay()
    {
        await using var app = await TestApp.StartAsync(azurite, ReturnOnly());
        var (orderId, _, _) = await CreateAsync(app);

        using var response = await app.Api.RefundAsync(orderId, new { amount = "1.00" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Empty((await StoredAsync(app, orderId)).Refunds);
    }

    [Theory]
    [InlineData("capture")]
    [InlineData("cancel")]
    public async Task Capture_and_cancel_are_a_422_naming_mangopay(string operation)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var (orderId, _, _) = await CreateAsync(app);

        using var response = await app.Api.PostAsync($"/api/orders/{orderId}/{operation}", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await app.Api.ReadAsync<Problem>(response);
        Assert.Equal("urn:payments:problem:capability-not-supported", problem.Type);
        Assert.Equal("mangopay", problem.Provider);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "currency", """{"currency":"EUR"}""" },
        { "recurring", """{"subscription":{"interval":"month","intervalCount":1}}""" },
        { "providerOptions.statementDescriptor", """{"providerOptions":{"statementDescriptor":"MUCH TOO LONG"}}""" },
        { "providerOptions.fees", """{"providerOptions":{"fees":"50.00"}}""" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task What_mangopay_or_twint_cannot_take_is_a_422_before_anything_is_written(string field, string change)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var body = OrderBodies.Mangopay();
        foreach (var (key, value) in JsonNode.Parse(change)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        using var response = await app.Client.PostAsJsonAsync("/api/orders", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task A_public_base_url_that_makes_the_return_url_longer_than_255_is_a_422_before_anything_is_written()
    {
        // PublicBaseUrl + "/api/return/mangopay/{36-character id}/{43-character token}": 101 characters after the base.
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["PublicBaseUrl"] = $"https://payments.example/{new string('p', 140)}",
            ["Providers:Mangopay:BaseUrl"] = "http://127.0.0.1:9",
        });

        using var response = await app.Client.PostAsJsonAsync("/api/orders", OrderBodies.Mangopay());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("returnUrl", text, StringComparison.Ordinal);
        Assert.Contains("PublicBaseUrl", text, StringComparison.Ordinal);
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task Mangopay_down_is_a_502_and_the_order_is_recorded_failed_without_secrets()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Providers:Mangopay:BaseUrl"] = "http://127.0.0.1:9", // discard port: connection refused
            ["Providers:Mangopay:Http:MaxRetryAttempts"] = "1",
            ["Providers:Mangopay:Http:RetryBaseDelay"] = "00:00:00",
        });

        using var response = await app.Api.PostOrderAsync(OrderBodies.Mangopay());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problemText = await response.Content.ReadAsStringAsync();
        var problem = JsonSerializer.Deserialize<Problem>(problemText, app.Api.Json)!;
        var order = await app.Api.GetOrderAsync(problem.OrderId!);
        Assert.Equal("failed", order.Status);

        // Every member as sent, not only those the records name.
        Assert.DoesNotContain("sandbox-api-key", (await app.Api.GetOrderJsonAsync(order.OrderId)).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sandbox-api-key", problemText, StringComparison.Ordinal);
    }
}
