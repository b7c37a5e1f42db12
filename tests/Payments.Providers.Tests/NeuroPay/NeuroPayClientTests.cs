using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.NeuroPay;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.NeuroPay;

public sealed class NeuroPayClientTests
{
    private static readonly string Created = NeuroPayTestKit.Checkout();

    [Fact]
    public async Task Create_posts_the_documented_checkout()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);

        await services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order()), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.paiwise.com/checkout/create", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {NeuroPayTestKit.ApiKey}", request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        Assert.Contains("application/json", request.Header("Accept"));

        var body = request.Json();
        Assert.Equal(4990, body.GetProperty("amount").GetInt64());
        Assert.Equal("SEK", body.GetProperty("currency").GetString());
        Assert.Equal("Order SO-1001", body.GetProperty("message").GetString());
        Assert.True(body.GetProperty("capture").GetBoolean());
        Assert.Equal(NeuroPayTestKit.ReturnUrl.AbsoluteUri, body.GetProperty("returnUrl").GetString());
        Assert.Equal(NeuroPayTestKit.CancelUrl.AbsoluteUri, body.GetProperty("returnUrlCancel").GetString());
        Assert.Equal(NeuroPayTestKit.OrderId, body.GetProperty("identifier").GetString());
        var meta = body.GetProperty("metaData");
        Assert.Equal(NeuroPayTestKit.OrderId, meta.GetProperty("payments_order_id").GetString());
        Assert.Equal("SO-1001", meta.GetProperty("merchant_reference").GetString());
        foreach (var absent in new[] { "allowSaveCard", "customer_id", "card_id", "template" })
        {
            Assert.False(body.TryGetProperty(absent, out _), absent);
        }
    }

    [Fact]
    public async Task Create_sends_the_provider_options_in_neuro_pay_spelling()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);
        var order = NeuroPayTestKit.Order(options: new Dictionary<string, string>
        {
            ["capture"] = "false",
            ["allowSaveCard"] = "true",
            ["customerId"] = NeuroPayTestKit.CustomerId,
            ["template"] = "iframe",
            ["message"] = "Thanks for shopping at Mugs & Co",
        });

        await services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(order), CancellationToken.None);

        var body = handler.OnlyRequest().Json();
        Assert.False(body.GetProperty("capture").GetBoolean());
        Assert.True(body.GetProperty("allowSaveCard").GetBoolean());
        Assert.Equal(NeuroPayTestKit.CustomerId, body.GetProperty("customer_id").GetString());
        Assert.Equal("iframe", body.GetProperty("template").GetString());
        Assert.Equal("Thanks for shopping at Mugs & Co", body.GetProperty("message").GetString());
        Assert.False(body.TryGetProperty("card_id", out _));
    }

    [Fact]
    public async Task Create_maps_the_checkout_to_a_session()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);

        var session = await services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order()), CancellationToken.None);

        Assert.Equal(NeuroPayTestKit.CheckoutId, session.ProviderReference);
        Assert.Equal($"https://api.paiwise.com/checkout/pay/{NeuroPayTestKit.CheckoutId}", session.RedirectUrl);
        Assert.Null(session.ExpiresAt);
        Assert.Equal(NeuroPayTestKit.CheckoutId, session.ProviderData["checkout_id"]);
        Assert.False(session.ProviderData.ContainsKey("automatic_payment"));
    }

    [Fact]
    public async Task An_automatic_saved_card_payment_sends_the_shopper_straight_to_our_return_url()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);
        var order = NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["customerId"] = NeuroPayTestKit.CustomerId, ["cardId"] = "card_1" });

        var session = await services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(order), CancellationToken.None);

        var body = handler.OnlyRequest().Json();
        Assert.Equal(NeuroPayTestKit.CustomerId, body.GetProperty("customer_id").GetString());
        Assert.Equal("card_1", body.GetProperty("card_id").GetString());
        Assert.Equal(NeuroPayTestKit.ReturnUrl.AbsoluteUri, session.RedirectUrl);
        Assert.Equal(NeuroPayTestKit.CheckoutId, session.ProviderReference);
        Assert.Equal("true", session.ProviderData["automatic_payment"]);
        Assert.Equal(NeuroPayTestKit.CustomerId, session.ProviderData["customer_id"]);
    }

    [Fact]
    public async Task An_automatic_payment_still_created_goes_to_the_checkout_page()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);
        var order = NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["customerId"] = NeuroPayTestKit.CustomerId, ["cardId"] = "card_1" });

        var session = await services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(order), CancellationToken.None);

        Assert.Equal($"https://api.paiwise.com/checkout/pay/{NeuroPayTestKit.CheckoutId}", session.RedirectUrl);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/relative/page")]
    [InlineData("javascript:alert(1)")]
    public async Task Create_without_a_usable_page_is_an_unavailable_provider(string? url)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(url: url));
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order()), CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal("neuropay", ex.Provider);
        Assert.DoesNotContain(NeuroPayTestKit.ApiKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_without_a_checkout_id_is_an_unavailable_provider_with_the_body_kept()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, """{"status":"created","url":"https://x.example/p"}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order()), CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal("""{"status":"created","url":"https://x.example/p"}""", ex.RawBody);
        Assert.Contains("POST /checkout/create", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_is_retried_after_429_with_the_same_body()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.TooManyRequests, """{"error":"rate_limited"}""", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)))
            .Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);

        await services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order()), CancellationToken.None);

        Assert.Equal(2, handler.Count);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
    }

    [Fact]
    public async Task Retrieve_is_a_safe_post_retried_on_503_then_succeeds()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.BadGateway)
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);

        var checkout = await services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None);

        Assert.Equal(3, handler.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal(HttpMethod.Post, r.Method);
            Assert.Equal("/checkout/retrieve", r.Uri.AbsolutePath);
            Assert.Equal($"Bearer {NeuroPayTestKit.ApiKey}", r.Header("Authorization"));
            Assert.Equal($$"""{"checkout_id":"{{NeuroPayTestKit.CheckoutId}}"}""", r.Body);
        });
        Assert.Equal("paid", checkout.Status);
        Assert.Equal(4990, checkout.Amount);
    }

    [Fact]
    public async Task Retrieve_gives_up_after_the_configured_retries()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.BadGateway, """{"error":"upstream"}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));

        Assert.Equal(4, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal("upstream", ex.ProviderCode);
    }

    [Fact]
    public async Task Retrieve_is_retried_after_a_timeout()
    {
        var handler = new CapturingHandler().Hang().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler, s => s["Providers:NeuroPay:Http:AttemptTimeout"] = "00:00:00.200");

        await services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None);

        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task Retrieve_customer_is_a_safe_post_retried_on_503()
    {
        var handler = new CapturingHandler().FailWithNetworkError().Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.OK, NeuroPayTestKit.Customer);
        using var services = NeuroPayTestKit.Services(handler);

        var customer = await services.Client().RetrieveCustomerAsync(NeuroPayTestKit.CustomerId, CancellationToken.None);

        Assert.Equal(3, handler.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("/checkout/retrieve-customer", r.Uri.AbsolutePath);
            Assert.Equal($$"""{"customer_id":"{{NeuroPayTestKit.CustomerId}}"}""", r.Body);
        });
        Assert.Equal("Ada", customer.FirstName);
    }

    public static TheoryData<string> Writes => new() { "capture", "refund", "update", "delete", "create-customer", "delete-customer" };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Writes_are_sent_once_on_503(string endpoint)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable).Otherwise(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);
        var client = services.Client();
        const string id = NeuroPayTestKit.CheckoutId;

        Func<Task> call = endpoint switch
        {
            "capture" => () => client.CaptureAsync(id, CancellationToken.None),
            "refund" => () => client.RefundAsync(new NeuroPayRefundRequest { CheckoutId = id, Amount = 100 }, CancellationToken.None),
            "update" => () => client.UpdateMetadataAsync(new NeuroPayUpdateRequest { CheckoutId = id, MetaData = new Dictionary<string, string> { ["a"] = "" } }, CancellationToken.None),
            "delete" => () => client.DeleteCheckoutAsync(id, CancellationToken.None),
            "create-customer" => () => client.CreateCustomerAsync(new NeuroPayCreateCustomerRequest { FirstName = "A", LastName = "B", Email = "a@b.se" }, CancellationToken.None),
            _ => () => client.DeleteCustomerAsync(NeuroPayTestKit.CustomerId, CancellationToken.None),
        };

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, call);

        Assert.Equal(1, handler.Count);
        Assert.Equal($"/checkout/{endpoint}", handler.OnlyRequest().Uri.AbsolutePath);
        Assert.Equal(HttpMethod.Post, handler.OnlyRequest().Method);
        Assert.Null(handler.OnlyRequest().Header("Idempotency-Key"));
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task Update_sends_metadata_with_empty_values_to_delete_keys()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler);

        await services.Client().UpdateMetadataAsync(new NeuroPayUpdateRequest
        {
            CheckoutId = NeuroPayTestKit.CheckoutId,
            MetaData = new Dictionary<string, string> { ["note"] = "gift", ["old"] = "" },
        }, CancellationToken.None);

        Assert.Equal($$$"""{"checkout_id":"{{{NeuroPayTestKit.CheckoutId}}}","metaData":{"note":"gift","old":""}}""", handler.OnlyRequest().Body);
    }

    [Fact]
    public async Task A_404_is_not_found()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.NotFound, """{"error":"not_found","message":"Checkout not found."}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Client().RetrieveCheckoutAsync("nope", CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.NotFound, ex.Failure);
        Assert.Equal("not_found", ex.ProviderCode);
    }

    [Fact]
    public async Task A_rejection_keeps_the_raw_body_out_of_the_message()
    {
        const string body = """{"error":"invalid_request","message":"returnUrl for ada@example.com is invalid"}""";
        var handler = new CapturingHandler().Respond(HttpStatusCode.BadRequest, body);
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(NeuroPayTestKit.SessionRequest(NeuroPayTestKit.Order()), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(body, ex.RawBody);
        Assert.Equal("invalid_request", ex.ProviderCode);
        Assert.DoesNotContain("ada@example.com", ex.Message, StringComparison.Ordinal);
        Assert.Contains("POST /checkout/create", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_auth_failure_never_shows_the_key()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Unauthorized, """{"error":{"code":"unauthorized","message":"bad key"}}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("unauthorized", ex.ProviderCode);
        Assert.DoesNotContain(NeuroPayTestKit.ApiKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unparseable_answer_is_unavailable_with_the_body_kept()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, "<html>maintenance</html>");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Client().CaptureAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal("<html>maintenance</html>", ex.RawBody);
        Assert.DoesNotContain("maintenance", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_accepts_any_2xx_answer()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, """{"success":true}""").Respond(HttpStatusCode.NoContent)
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "revoked")).Respond(HttpStatusCode.NoContent);
        using var services = NeuroPayTestKit.Services(handler);
        var client = services.Client();

        Assert.Null(await client.DeleteCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));
        Assert.Null(await client.DeleteCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None));
        Assert.Equal("revoked", (await client.DeleteCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None))!.Status);
        await client.DeleteCustomerAsync(NeuroPayTestKit.CustomerId, CancellationToken.None);
        Assert.Equal(4, handler.Count);
    }

    [Theory]
    [InlineData("https://api.neuro-admin.com", "https://api.neuro-admin.com/checkout/retrieve")]
    [InlineData("https://api.neuro-admin.com/", "https://api.neuro-admin.com/checkout/retrieve")]
    [InlineData("http://127.0.0.1:5000/sandbox/neuropay", "http://127.0.0.1:5000/sandbox/neuropay/checkout/retrieve")]
    public async Task The_base_url_takes_the_checkout_paths(string baseUrl, string expected)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler, baseUrl: baseUrl);

        await services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None);

        Assert.Equal(expected, handler.OnlyRequest().Uri.AbsoluteUri);
    }

    [Fact]
    public async Task The_base_url_defaults_to_the_seed_host()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Created);
        using var services = NeuroPayTestKit.Services(handler, s => s.Remove("Providers:NeuroPay:BaseUrl"));

        await services.Client().RetrieveCheckoutAsync(NeuroPayTestKit.CheckoutId, CancellationToken.None);

        Assert.Equal("https://api.paiwise.com/checkout/retrieve", handler.OnlyRequest().Uri.AbsoluteUri);
    }

    [Fact]
    public void Options_are_validated_and_never_print_the_key()
    {
        using var services = NeuroPayTestKit.Services(null, s =>
        {
            s["Providers:NeuroPay:BaseUrl"] = "ftp://user:pw@api.paiwise.com?x=1";
            s["Providers:NeuroPay:ApiKey"] = "";
        });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NeuroPayOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("Providers:NeuroPay:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Providers:NeuroPay:ApiKey is required", StringComparison.Ordinal));

        var options = new NeuroPayOptions { ApiKey = NeuroPayTestKit.ApiKey };
        Assert.DoesNotContain(NeuroPayTestKit.ApiKey, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("https://api.paiwise.com", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_its_section_neuro_pay_is_not_registered()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddLogging().AddPaymentProviders(configuration).BuildServiceProvider();

        Assert.DoesNotContain(services.GetServices<IPaymentProvider>(), p => p.Name == "neuropay");
    }

    [Fact]
    public void It_claims_what_it_implements_and_no_webhook()
    {
        using var services = NeuroPayTestKit.Services(new CapturingHandler());
        var provider = services.Provider();

        Assert.Equal(
            ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Capture | ProviderCapabilities.Refund
            | ProviderCapabilities.Cancel | ProviderCapabilities.Customers | ProviderCapabilities.Recurring,
            provider.Capabilities);
        Assert.IsAssignableFrom<IPaymentOperations>(provider);
        Assert.IsAssignableFrom<ICustomerVault>(provider);
        Assert.False(typeof(IWebhookReceiver).IsAssignableFrom(provider.GetType()));
    }
}
