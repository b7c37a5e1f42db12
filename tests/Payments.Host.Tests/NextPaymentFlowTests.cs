namespace Payments.Host.Tests;

/// <summary>TWINT through NEXT end to end: the real handler, the real NEXT client, the NEXT sandbox, Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class NextPaymentFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Paying_in_the_sandbox_ends_at_successUrl_as_succeeded_with_history_and_a_stored_row()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        Assert.Equal("pending", created.Status);
        Assert.Equal("next", created.Provider);
        Assert.StartsWith($"{app.BaseUrl}/sandbox/next/", created.RedirectUrl);
        Assert.NotNull(created.ExpiresAt);

        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);

        var query = ShopRedirect.AssertSentTo(back, "done", "succeeded");
        Assert.Equal(orderId, query["orderId"]);

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal("49.90", order.Amount);
        Assert.NotNull(order.ProviderReference);
        var step = Assert.Single(order.History);
        Assert.Equal("pending", step.From);
        Assert.Equal("succeeded", step.To);
        Assert.Equal("return", step.Source);

        var rows = await app.AllRowsAsync();
        var orderRow = Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey == "order");
        Assert.Equal("succeeded", orderRow.GetString("Status"));
        Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Declining_in_the_sandbox_ends_at_failureUrl_as_failed()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;

        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!, "decline");

        ShopRedirect.AssertSentTo(back, "failed", "failed");
        Assert.Equal("failed", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task A_return_claiming_payment_while_NEXT_says_pending_does_not_mark_the_order_paid()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;

        // The shopper leaves the payment pending at NEXT, then forges the return: same order, payment_status "paid".
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pending");
        var claim = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();
        claim["payment_status"] = "paid";
        claim["status"] = "open";
        var forged = form with { Inputs = [new("response", claim.ToJsonString())] };

        var back = await Shopper.ReturnAsync(app.Client, forged);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("pending", ShopRedirect.Split(back.Headers.Location!).Query["status"]);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("pending", order.Status);
        Assert.Empty(order.History);
    }

    [Fact]
    public async Task A_return_with_a_wrong_token_is_a_404_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var before = await app.RowVersionsAsync();

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

        var after = await app.RowVersionsAsync();
        Assert.Equal(before, after);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task Fifty_concurrent_identical_returns_record_exactly_one_transition()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Shopper.ReturnAsync(app.Client, form)));

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.SeeOther, r.StatusCode);
            Assert.Equal("succeeded", ShopRedirect.Split(r.Headers.Location!).Query["status"]);
        });
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Single(order.History);
        var rows = await app.AllRowsAsync();
        Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_key_and_body_returns_the_same_order_and_another_body_is_a_409()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var first = await app.Api.CreateOrderAsync(OrderBodies.Next(), key: "key-1");

        var again = await app.Api.PostOrderAsync(OrderBodies.Next(), key: "key-1");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replay = await app.Api.ReadAsync<OrderView>(again);
        Assert.Equal(first.OrderId, replay.OrderId);
        Assert.Equal(first.RedirectUrl, replay.RedirectUrl);

        var other = OrderBodies.Next();
        other["metadata"] = new JsonObject { ["note"] = "different" };
        var conflict = await app.Api.PostOrderAsync(other, key: "key-1");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var problem = await app.Api.ReadAsync<Problem>(conflict);
        Assert.Equal("urn:payments:problem:idempotency-key-reused", problem.Type);

        // One order row, one key row: nothing else was created, here or at NEXT.
        var rows = await app.AllRowsAsync();
        Assert.Single(rows, r => r.RowKey == "order");
        Assert.Single(rows, r => r.RowKey == "idem");
    }

    [Fact]
    public async Task Without_a_header_the_merchant_reference_is_the_idempotency_key()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var first = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var again = await app.Api.PostOrderAsync(OrderBodies.Next());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.OrderId, (await app.Api.ReadAsync<OrderView>(again)).OrderId);
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_is_a_502_and_the_order_is_recorded_failed()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Providers:Next:BaseUrl"] = "http://127.0.0.1:9", // discard port: connection refused
        });
        var response = await app.Api.PostOrderAsync(OrderBodies.Next());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await app.Api.ReadAsync<Problem>(response);
        Assert.Equal("urn:payments:problem:provider-unavailable", problem.Type);
        var order = await app.Api.GetOrderAsync(problem.OrderId!);
        Assert.Equal("failed", order.Status);
        Assert.False(string.IsNullOrEmpty(order.FailureReason));

        // Every member as sent, not only those OrderView names.
        Assert.DoesNotContain("sandbox-access-token", (await app.Api.GetOrderJsonAsync(order.OrderId)).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_storage_and_the_host_probe_answers_with_json()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var health = await app.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // The documented bodies exactly (their JSON contract is generated at build time, under the app's JSON options).
        Assert.Equal("""{"status":"healthy","checks":{"storage":"ok"}}""", await health.Content.ReadAsStringAsync());
        var probe = await app.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("application/json", probe.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""{"status":"ready"}""", await probe.Content.ReadAsStringAsync());
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
}
