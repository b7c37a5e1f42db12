using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Twisto;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.Twisto;

public sealed class TwistoClientTests
{
    private static readonly string Created = TwistoTestKit.CheckoutJson(state: "created");

    [Fact]
    public async Task V4_create_posts_the_documented_checkout_with_a_bearer_token()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, Created);
        using var services = TwistoTestKit.Services(handler);
        var order = TwistoTestKit.Order(providerOptions: new Dictionary<string, string> { ["type"] = "pay-in-three", ["birthDate"] = "1990-12-31", ["personalId"] = "9012310000" });

        var session = await services.Provider().CreateSessionAsync(TwistoTestKit.SessionRequest(order), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.twisto.cz/psp/v4/checkouts", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {TwistoTestKit.Secret}", request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        Assert.Null(request.Header("Idempotency-Key"));

        var body = request.Json();
        Assert.Equal("pay-in-three", body.GetProperty("type").GetString());
        Assert.Equal(TwistoTestKit.ReturnUrl.AbsoluteUri, body.GetProperty("config").GetProperty("redirect_uri").GetString());
        Assert.Equal("shop-42", body.GetProperty("merchant_reference").GetString());
        var shopper = body.GetProperty("shopper");
        Assert.Equal("jana@example.cz", shopper.GetProperty("email").GetString());
        Assert.Equal("Jana", shopper.GetProperty("first_name").GetString());
        Assert.Equal("Nováková", shopper.GetProperty("last_name").GetString());
        Assert.Equal("+420731889776", shopper.GetProperty("phone").GetString());
        Assert.Equal("1990-12-31", shopper.GetProperty("birth_date").GetString());
        Assert.Equal("9012310000", shopper.GetProperty("personal_id").GetString());
        var address = shopper.GetProperty("billing_address");
        Assert.Equal("Újezd 450/40", address.GetProperty("line1").GetString());
        Assert.Equal("11800", address.GetProperty("postal_code").GetString());
        Assert.Equal("CZ", address.GetProperty("country").GetString());
        Assert.False(address.TryGetProperty("state", out _));

        var o = body.GetProperty("order");
        Assert.Equal(TwistoTestKit.OrderId, o.GetProperty("reference").GetString());
        Assert.Equal("1249.90", o.GetProperty("amount").GetString());
        Assert.Equal("CZK", o.GetProperty("currency").GetString());
        var items = o.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal(("Hrnek", "600.00", 2, "MUG-1", "sku"), Item(items[0]));
        Assert.Equal(("Doprava", "99.90", 1, null, "shipping"), Item(items[1]));
        Assert.Equal(("Sleva", "-50.00", 1, null, "discount"), Item(items[2]));

        Assert.Equal(TwistoTestKit.CheckoutId, session.ProviderReference);
        Assert.Equal("https://gateway.twisto.cz/checkout/8f2c6b1e-6a0e-4a55-9c1d-2f0b7d3e9a41", session.RedirectUrl);
        Assert.Equal("v4", session.ProviderData[TwistoProvider.ApiVersionKey]);
        Assert.Equal("pay-in-three", session.ProviderData[TwistoProvider.ProductKey]);
        Assert.Null(session.ExpiresAt);
    }

    [Fact]
    public async Task V2_create_posts_the_documented_order_with_a_token()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, TwistoTestKit.OrderJson());
        using var services = TwistoTestKit.Services(handler, "v2", baseUrl: "https://api.twisto.pl/");
        var order = TwistoTestKit.Order(providerOptions: new Dictionary<string, string> { ["service"] = "pay-in-three", ["paymentIdentifier"] = "VS2024001", ["personalId"] = "90123100000" });

        var session = await services.Provider().CreateSessionAsync(TwistoTestKit.SessionRequest(order), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.twisto.pl/psp/v2/order/", request.Uri.AbsoluteUri);
        Assert.Equal($"Token {TwistoTestKit.Secret}", request.Header("Authorization"));

        var body = request.Json();
        Assert.Equal("pay-in-three", body.GetProperty("service").GetString());
        Assert.Equal(TwistoTestKit.OrderId, body.GetProperty("order_external_id").GetString());
        Assert.Equal(36, body.GetProperty("order_external_id").GetString()!.Length);
        Assert.Equal("VS2024001", body.GetProperty("payment_identifier").GetString());
        Assert.Equal(TwistoTestKit.ReturnUrl.AbsoluteUri, body.GetProperty("return_url").GetString());
        Assert.Equal("shop-42", body.GetProperty("order_data").GetProperty("eshop_external_id").GetString());
        Assert.Equal("1249.90", body.GetProperty("order_data").GetProperty("amount").GetString());
        Assert.False(body.TryGetProperty("transaction_history", out _));
        var customer = body.GetProperty("customer_data");
        Assert.Equal("jana@example.cz", customer.GetProperty("email").GetString());
        Assert.Equal("+420731889776", customer.GetProperty("phone_number").GetString());
        Assert.Equal("Újezd", customer.GetProperty("street_name").GetString());
        Assert.Equal("450/40", customer.GetProperty("street_number").GetString());
        Assert.Equal("byt 3", customer.GetProperty("apartment_number").GetString());
        Assert.Equal("Praha", customer.GetProperty("city").GetString());
        Assert.Equal("11800", customer.GetProperty("zipcode").GetString());
        Assert.Equal("CZ", customer.GetProperty("country").GetString());
        Assert.Equal("90123100000", customer.GetProperty("personal_id").GetString());
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("goods", items[0].GetProperty("type").GetString());
        Assert.Equal("MUG-1", items[0].GetProperty("product_id").GetString());
        Assert.Equal("600.00", items[0].GetProperty("amount").GetString());
        Assert.Equal("21", items[0].GetProperty("vat").GetString());
        Assert.Equal(2, items[0].GetProperty("quantity").GetInt32());
        Assert.Equal("shipment", items[1].GetProperty("type").GetString());
        Assert.Equal("discount", items[2].GetProperty("type").GetString());
        Assert.Equal("-50.00", items[2].GetProperty("amount").GetString());

        Assert.Equal(TwistoTestKit.V2OrderId, session.ProviderReference);
        Assert.Equal("https://api.twisto.pl/psp/gateway/497f6eca-6276-4993-bfeb-53cbbbba6f08", session.RedirectUrl);
        Assert.Equal("v2", session.ProviderData[TwistoProvider.ApiVersionKey]);
    }

    [Theory]
    [InlineData("""{"id":"c1"}""")]
    [InlineData("""{"uri":"https://gateway.twisto.cz/c1"}""")]
    [InlineData("""{"id":"c1","uri":"not a url"}""")]
    [InlineData("""{"id":"a/b","uri":"https://gateway.twisto.cz/c1"}""")]
    public async Task Create_without_a_usable_id_and_url_is_an_unavailable_provider(string answer)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, answer);
        using var services = TwistoTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(TwistoTestKit.SessionRequest(TwistoTestKit.Order()), CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal("twisto", ex.Provider);
    }

    [Fact]
    public async Task Create_reads_redirect_url_when_uri_is_missing()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, """{"id":"c1","redirect_url":"https://gateway.twisto.cz/c1","state":"created"}""");
        using var services = TwistoTestKit.Services(handler);

        var session = await services.Provider().CreateSessionAsync(TwistoTestKit.SessionRequest(TwistoTestKit.Order()), CancellationToken.None);

        Assert.Equal("https://gateway.twisto.cz/c1", session.RedirectUrl);
    }

    [Fact]
    public async Task Create_is_retried_after_429()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.TooManyRequests, """{"detail":"Request was throttled."}""")
            .Respond(HttpStatusCode.Created, Created);
        using var services = TwistoTestKit.Services(handler);

        await services.Provider().CreateSessionAsync(TwistoTestKit.SessionRequest(TwistoTestKit.Order()), CancellationToken.None);

        Assert.Equal(2, handler.Count);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
    }

    [Fact]
    public async Task A_refused_create_is_rejected_with_the_field_as_code_and_no_body_or_secret_in_the_message()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.BadRequest, """{"errors":{"shopper.email":["Enter a valid email address: jana@example.cz"]}}""");
        using var services = TwistoTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(TwistoTestKit.SessionRequest(TwistoTestKit.Order()), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("shopper.email", ex.ProviderCode);
        Assert.Contains("jana@example.cz", ex.RawBody, StringComparison.Ordinal);
        Assert.DoesNotContain("jana@", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TwistoTestKit.Secret, ex.Message, StringComparison.Ordinal);
        Assert.Equal("twisto: POST /psp/v4/checkouts answered 400 (rejected).", ex.Message);
    }

    [Theory]
    [InlineData("""{"detail":"Invalid token.","code":"authentication_failed"}""", "authentication_failed")]
    [InlineData("""{"errors":"Merchant is not active"}""", "errors")]
    [InlineData("""{"order":["This field is required."]}""", "order")]
    [InlineData("""{"detail":"Not found."}""", null)]
    [InlineData("""[1,2]""", null)]
    public void Error_codes_are_read_from_drf_and_errors_bodies(string body, string? code) =>
        Assert.Equal(code, TwistoJson.ReadErrorCode(body));

    [Fact]
    public async Task Get_checkout_is_retried_on_503_then_succeeds()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.BadGateway)
            .Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson());
        using var services = TwistoTestKit.Services(handler);

        var checkout = await services.Client().GetCheckoutAsync(TwistoTestKit.CheckoutId, CancellationToken.None);

        Assert.Equal(3, handler.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal(HttpMethod.Get, r.Method);
            Assert.Equal($"/psp/v4/checkouts/{TwistoTestKit.CheckoutId}", r.Uri.AbsolutePath);
            Assert.Equal($"Bearer {TwistoTestKit.Secret}", r.Header("Authorization"));
        });
        Assert.Equal("completed", checkout.State);
    }

    [Fact]
    public async Task Get_gives_up_after_the_configured_retries()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.BadGateway, """{"detail":"upstream"}""");
        using var services = TwistoTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () => services.Client().GetCheckoutAsync("c1", CancellationToken.None));

        Assert.Equal(4, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task Get_of_an_unknown_checkout_is_not_found_and_not_retried()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""");
        using var services = TwistoTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () => services.Client().GetCheckoutAsync("c1", CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.NotFound, ex.Failure);
    }

    [Fact]
    public async Task Get_order_reads_the_v2_detail_route_with_a_token_and_is_retried()
    {
        var handler = new CapturingHandler().FailWithNetworkError().Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("accepted"));
        using var services = TwistoTestKit.Services(handler, "v2");

        var order = await services.Client().GetOrderAsync(TwistoTestKit.V2OrderId, CancellationToken.None);

        Assert.Equal(2, handler.Count);
        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/", handler.Requests[1].Uri.AbsolutePath);
        Assert.Equal($"Token {TwistoTestKit.Secret}", handler.Requests[1].Header("Authorization"));
        Assert.Equal("accepted", order.Status);
        Assert.Equal("1249.90", order.InitialAmount);
    }

    [Fact]
    public async Task The_whole_documented_checkout_parses()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.Fixture("checkout.json"));
        using var services = TwistoTestKit.Services(handler);

        var c = await services.Client().GetCheckoutAsync(TwistoTestKit.CheckoutId, CancellationToken.None);

        Assert.Equal("standard", c.Type);
        Assert.Equal("2024-06-03T10:00:00Z", c.Created);
        Assert.Null(c.Settled);
        Assert.Equal("shop-42", c.MerchantReference);
        Assert.EndsWith("/sig123", c.Config!.RedirectUri, StringComparison.Ordinal);
        Assert.Equal("Praha", c.Shopper!.BillingAddress!.City);
        Assert.Equal(3, c.Shopper.Statistics!.SalesTotalCount);
        Assert.True(c.Shopper.Statistics.HasPreviousPurchases);
        Assert.False(c.Shopper.Statistics.PreviousChargeback);
        Assert.Equal("CZK", c.Shopper.Statistics.Currency);
        Assert.Equal("1990-12-31", c.Shopper.BirthDate);
        Assert.Equal("-50.00", c.Order!.Items![2].Amount);
        Assert.Equal("shipping", c.Order.Items[1].Type);
    }

    [Fact]
    public async Task Charges_carry_the_idempotency_key_and_are_retried_with_the_same_key()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.Created, """{"id":"ch1","amount":"1249.90","currency":"CZK","state":"captured"}""");
        using var services = TwistoTestKit.Services(handler);

        var charge = await services.Client().CreateChargeAsync(new TwistoChargeRequest { Amount = "1249.90" }, "charge-k1", CancellationToken.None);

        Assert.Equal(2, handler.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("/psp/v4/charges", r.Uri.AbsolutePath);
            Assert.Equal("charge-k1", r.Header("Idempotency-Key"));
        });
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
        Assert.Equal("captured", charge.State);
    }

    [Fact]
    public async Task V2_actions_are_sent_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable).Otherwise(HttpStatusCode.OK, TwistoTestKit.OrderJson("activated"));
        using var services = TwistoTestKit.Services(handler, "v2");

        await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () => services.Client().ActivateOrderAsync(TwistoTestKit.V2OrderId, CancellationToken.None));

        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/activate/", request.Uri.AbsolutePath);
        Assert.Null(request.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_v2_action_with_an_undocumented_answer_still_succeeds()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.NoContent).Respond(HttpStatusCode.OK, "<html>ok</html>");
        using var services = TwistoTestKit.Services(handler, "v2");

        Assert.Null(await services.Client().CancelOrderAsync("o1", CancellationToken.None));
        Assert.Null(await services.Client().ActivateOrderAsync("o1", CancellationToken.None));
    }

    [Fact]
    public void Options_never_print_the_secret()
    {
        using var services = TwistoTestKit.Services(null);
        var options = services.GetRequiredService<IOptions<TwistoOptions>>().Value;

        Assert.DoesNotContain(TwistoTestKit.Secret, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("api.twisto.cz", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Providers:Twisto:BaseUrl", "ftp://api.twisto.cz", "BaseUrl")]
    [InlineData("Providers:Twisto:BaseUrl", "", "BaseUrl")]
    [InlineData("Providers:Twisto:ApiVersion", "v3", "ApiVersion")]
    [InlineData("Providers:Twisto:SecretKey", "", "SecretKey")]
    [InlineData("Providers:Twisto:SecretKey", "two words", "SecretKey")]
    [InlineData("Providers:Twisto:MerchantReference", "", "MerchantReference")]
    [InlineData("Providers:Twisto:Currencies:0", "KWD", "Currencies")]
    [InlineData("Providers:Twisto:Currencies:0", "XYZ", "Currencies")]
    public void Bad_settings_fail_at_start_up_naming_the_setting_and_not_the_secret(string key, string value, string named)
    {
        using var services = TwistoTestKit.Services(null, tweak: s => s[key] = value);

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TwistoOptions>>().Value);

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TwistoTestKit.Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v2_e_shop_id_longer_than_36_characters_is_refused()
    {
        using var services = TwistoTestKit.Services(null, "v2", s => s["Providers:Twisto:MerchantReference"] = new string('e', 37));

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TwistoOptions>>().Value);
    }

    [Fact]
    public void Without_its_section_twisto_is_not_registered()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPaymentProviders(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        Assert.DoesNotContain(provider.GetServices<IPaymentProvider>(), p => p.Name == "twisto");
    }

    private static (string?, string?, int, string?, string?) Item(JsonElement item) => (
        item.GetProperty("name").GetString(),
        item.GetProperty("amount").GetString(),
        item.GetProperty("quantity").GetInt32(),
        item.TryGetProperty("reference", out var r) ? r.GetString() : null,
        item.GetProperty("type").GetString());
}
