using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

public sealed class NextClientTests
{
    private static readonly string Redirect = NextTestKit.Fixture("create-redirect.json");

    [Fact]
    public async Task Create_posts_the_documented_twint_order()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, Redirect);
        using var services = NextTestKit.Services(handler);

        await services.Provider().CreateSessionAsync(NextTestKit.SessionRequest(NextTestKit.Order()), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://shop.29next.store/api/admin/orders/", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {NextTestKit.Token}", request.Header("Authorization"));
        Assert.Equal("2024-04-01", request.Header("X-29Next-Api-Version"));
        Assert.StartsWith("application/json", request.Header("Content-Type"));

        var body = request.Json();
        Assert.Equal("twint", body.GetProperty("payment_method").GetString());
        var details = body.GetProperty("payment_details");
        Assert.Equal(NextTestKit.ReturnUrl.AbsoluteUri, details.GetProperty("payment_return_url").GetString());
        Assert.Equal(7, details.GetProperty("payment_gateway").GetInt32());
        Assert.False(details.TryGetProperty("payment_gateway_group", out _));
        Assert.Equal("CHF", body.GetProperty("currency").GetString());
        Assert.Equal("0.00", body.GetProperty("shipping_price").GetString());
        var line = Assert.Single(body.GetProperty("lines").EnumerateArray());
        Assert.Equal(1234, line.GetProperty("product_id").GetInt64());
        Assert.Equal(2, line.GetProperty("quantity").GetInt32());
        Assert.Equal("24.95", line.GetProperty("price").GetString());
        Assert.Equal(NextTestKit.OrderId, body.GetProperty("metadata").GetProperty("payments_order_id").GetString());
        Assert.Equal("anna@example.ch", body.GetProperty("user").GetProperty("email").GetString());
        var address = body.GetProperty("shipping_address");
        Assert.Equal("Zürich", address.GetProperty("line4").GetString());
        Assert.Equal("CH", address.GetProperty("country").GetString());
        Assert.True(body.GetProperty("billing_same_as_shipping_address").GetBoolean());
    }

    [Fact]
    public async Task Create_maps_the_guide_answer_to_a_session()
    {
        var now = new DateTimeOffset(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created,
            """{"reference_transaction_id":"tx_981","payment_complete_url":"https://shop.29next.store/checkout/twint/3f9c1d0e/"}""");
        using var services = NextTestKit.Services(handler, clock: new FixedClock(now));

        var session = await services.Provider().CreateSessionAsync(NextTestKit.SessionRequest(NextTestKit.Order()), CancellationToken.None);

        Assert.Equal("https://shop.29next.store/checkout/twint/3f9c1d0e/", session.RedirectUrl);
        Assert.Null(session.ProviderReference);
        Assert.Equal(now.AddMinutes(15), session.ExpiresAt);
        Assert.Equal("tx_981", session.ProviderData["reference_transaction_id"]);
    }

    [Fact]
    public async Task Create_accepts_a_full_order_as_answer()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(NextTestKit.OrderJson(paymentStatus: "pending"))!;
        node["payment_complete_url"] = "https://shop.29next.store/checkout/twint/abc/";
        node["number"] = 108231; // a number where the spec says string: still read
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, node.ToJsonString());
        using var services = NextTestKit.Services(handler);

        var session = await services.Provider().CreateSessionAsync(NextTestKit.SessionRequest(NextTestKit.Order()), CancellationToken.None);

        Assert.Equal("108231", session.ProviderReference);
        Assert.Equal("https://shop.29next.store/checkout/twint/abc/", session.RedirectUrl);
        Assert.Equal("108231", session.ProviderData["order_number"]);
    }

    [Fact]
    public async Task Create_without_payment_url_is_an_unavailable_provider()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, """{"reference_transaction_id":null}""");
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(NextTestKit.SessionRequest(NextTestKit.Order()), CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task Create_is_retried_after_429_with_retry_after()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.TooManyRequests, """{"detail":"Request was throttled. Expected available in 1 second."}""",
                r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1)))
            .Respond(HttpStatusCode.Created, Redirect);
        using var services = NextTestKit.Services(handler);

        var session = await services.Provider().CreateSessionAsync(NextTestKit.SessionRequest(NextTestKit.Order()), CancellationToken.None);

        Assert.Equal(2, handler.Count);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
        Assert.Equal("https://shop.29next.store/checkout/twint/3f9c1d0e/", session.RedirectUrl);
    }

    [Fact]
    public async Task Get_is_retried_on_503_then_succeeds()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);

        var order = await services.GetRequiredService<NextClient>().GetOrderAsync("108231", CancellationToken.None);

        Assert.Equal(3, handler.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal(HttpMethod.Get, r.Method);
            Assert.Equal("/api/admin/orders/108231/", r.Uri.AbsolutePath);
            Assert.Equal($"Bearer {NextTestKit.Token}", r.Header("Authorization"));
            Assert.Equal("2024-04-01", r.Header("X-29Next-Api-Version"));
        });
        Assert.Equal("paid", order.PaymentStatus);
        Assert.Equal("49.90", order.TotalInclTax);
    }

    [Fact]
    public async Task Get_gives_up_after_the_configured_retries()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.BadGateway, """{"detail":"upstream"}""");
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.GetRequiredService<NextClient>().GetOrderAsync("108231", CancellationToken.None));

        Assert.Equal(4, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal(502, ex.StatusCode);
    }

    [Fact]
    public async Task Get_is_retried_after_a_network_error()
    {
        var handler = new CapturingHandler().FailWithNetworkError().Respond(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);

        await services.GetRequiredService<NextClient>().GetOrderAsync("108231", CancellationToken.None);

        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task Get_404_is_not_found()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""");
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.GetRequiredService<NextClient>().GetOrderAsync("999", CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.NotFound, ex.Failure);
        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task A_rejection_keeps_the_raw_body_out_of_the_message()
    {
        const string body = """{"lines":["Product 1234 is not available for anna@example.ch."],"payment_details":["Invalid gateway."]}""";
        var handler = new CapturingHandler().Respond(HttpStatusCode.BadRequest, body);
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(NextTestKit.SessionRequest(NextTestKit.Order()), CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(body, ex.RawBody);
        Assert.Equal("lines", ex.ProviderCode);
        Assert.DoesNotContain("anna@example.ch", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid gateway", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(NextTestKit.Token, ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("POST /api/admin/orders/", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_auth_failure_names_the_code_but_never_the_token()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Unauthorized,
            """{"detail":"Invalid token.","code":"authentication_failed"}""");
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.GetRequiredService<NextClient>().GetOrderAsync("108231", CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("authentication_failed", ex.ProviderCode);
        Assert.DoesNotContain(NextTestKit.Token, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unparseable_answer_is_unavailable_with_the_body_kept()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, "<html>maintenance</html>");
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.GetRequiredService<NextClient>().GetOrderAsync("108231", CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal("<html>maintenance</html>", ex.RawBody);
        Assert.DoesNotContain("maintenance", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_failures_and_fails_fast()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.ServiceUnavailable);
        using var services = NextTestKit.Services(handler, s =>
        {
            s["Providers:Next:Http:MaxRetryAttempts"] = "0";
            s["Providers:Next:Http:CircuitMinimumThroughput"] = "2";
            s["Providers:Next:Http:CircuitBreakDuration"] = "00:01:00";
        });
        var client = services.GetRequiredService<NextClient>();

        for (var i = 0; i < 2; i++)
        {
            await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => client.GetOrderAsync("1", CancellationToken.None));
        }

        var open = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => client.GetOrderAsync("1", CancellationToken.None));
        Assert.Equal(2, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, open.Failure);
        Assert.Null(open.StatusCode);
    }

    [Fact]
    public async Task Add_line_items_posts_upsell_lines_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable).Otherwise(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);
        var client = services.GetRequiredService<NextClient>();
        var body = new NextAddLineItemsRequest
        {
            Lines = [new NextOrderLineRequest { ProductId = 55, Quantity = 1, Price = "9.90", IsUpsell = true }],
        };

        await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => client.AddLineItemsAsync("108231", body, CancellationToken.None));
        var order = await client.AddLineItemsAsync("108231", body, CancellationToken.None);

        Assert.Equal(2, handler.Count);
        var sent = handler.Requests[1];
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/api/admin/orders/108231/add-line-items/", sent.Uri.AbsolutePath);
        var line = Assert.Single(sent.Json().GetProperty("lines").EnumerateArray());
        Assert.Equal(55, line.GetProperty("product_id").GetInt64());
        Assert.True(line.GetProperty("is_upsell").GetBoolean());
        Assert.Equal("108231", order.Number);
    }

    [Fact]
    public void Options_are_validated_and_never_print_secrets()
    {
        using var services = NextTestKit.Services(null, s =>
        {
            s["Providers:Next:AccessToken"] = "";
            s["Providers:Next:BaseUrl"] = "not a url";
        });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NextOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("AccessToken", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("BaseUrl", StringComparison.Ordinal));

        var options = new NextOptions { AccessToken = NextTestKit.Token, WebhookSecret = "whsec_test", BaseUrl = "https://x.29next.store" };
        Assert.DoesNotContain(NextTestKit.Token, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_test", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_resilience_settings_are_refused_up_front()
    {
        using var services = NextTestKit.Services(null, s => s["Providers:Next:Http:AttemptTimeout"] = "00:05:00");

        Assert.Throws<OptionsValidationException>(() =>
            services.GetRequiredService<IOptionsMonitor<Payments.Providers.Http.ProviderHttpOptions>>().Get(NextClient.HttpClientName));
    }

    [Fact]
    public void Without_a_next_section_no_provider_is_registered()
    {
        var services = new ServiceCollection();
        services.AddPaymentProviders(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        Assert.Empty(provider.GetServices<IPaymentProvider>());
    }

    [Fact]
    public void The_provider_is_one_singleton_in_the_catalog()
    {
        using var services = NextTestKit.Services(new CapturingHandler());

        var catalog = new ProviderCatalog(services.GetServices<IPaymentProvider>());

        Assert.True(catalog.TryGet("next", out var next));
        Assert.Same(next, services.GetRequiredService<NextProvider>());
        Assert.Equal(
            ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Webhook | ProviderCapabilities.Upsell
            | ProviderCapabilities.Recurring | ProviderCapabilities.Refund | ProviderCapabilities.Cancel,
            next.Capabilities);
    }

    [Fact]
    public void The_error_code_reader_understands_drf_bodies()
    {
        Assert.Equal("throttled", NextJson.ReadErrorCode("""{"detail":"Request was throttled.","code":"throttled"}"""));
        Assert.Equal("lines", NextJson.ReadErrorCode("""{"lines":["x"]}"""));
        Assert.Null(NextJson.ReadErrorCode("""{"detail":"Not found."}"""));
        Assert.Null(NextJson.ReadErrorCode("""["x"]"""));
        Assert.ThrowsAny<JsonException>(() => NextJson.ReadErrorCode("<html>"));
    }
}
