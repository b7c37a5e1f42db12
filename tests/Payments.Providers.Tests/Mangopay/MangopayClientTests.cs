using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Mangopay;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.Mangopay;

public sealed partial class MangopayClientTests
{
    private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{MangopayTestKit.ClientId}:{MangopayTestKit.ApiKey}"));
    private static readonly string Bearer = $"Bearer {MangopayTestKit.AccessToken}";
    private static readonly string PayInKey = MangopayIdempotencyKeys.PayIn(MangopayTestKit.OrderId);

    private static Task<ProviderSession> CreateAsync(IServiceProvider services, Core.Orders.Order? order = null) =>
        services.Provider().CreateSessionAsync(MangopayTestKit.SessionRequest(order ?? MangopayTestKit.Order()), CancellationToken.None);

    [Fact]
    public async Task Create_fetches_a_token_then_posts_the_documented_twint_payin()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler, s => s["Providers:Mangopay:StatementDescriptor"] = "ACME SHOP");

        await CreateAsync(services, MangopayTestKit.Order(providerOptions: new Dictionary<string, string> { ["fees"] = "1.50" }));

        Assert.Equal(2, handler.Count);
        var token = handler.Requests[0];
        Assert.Equal(HttpMethod.Post, token.Method);
        Assert.Equal("https://api.sandbox.mangopay.com/v2.01/oauth/token", token.Uri.AbsoluteUri);
        Assert.Equal(Basic, token.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", token.Header("Content-Type"));
        Assert.Equal("grant_type=client_credentials", token.Body);

        var create = handler.Requests[1];
        Assert.Equal(HttpMethod.Post, create.Method);
        Assert.Equal($"https://api.sandbox.mangopay.com/v2.01/{MangopayTestKit.ClientId}/payins/payment-methods/twint", create.Uri.AbsoluteUri);
        Assert.Equal(Bearer, create.Header("Authorization"));
        Assert.Equal(PayInKey, create.Header("Idempotency-Key"));
        Assert.Matches("^[A-Za-z0-9-]{16,36}$", create.Header("Idempotency-Key"));
        Assert.StartsWith("application/json", create.Header("Content-Type"));

        var body = create.Json();
        Assert.Equal(MangopayTestKit.AuthorId, body.GetProperty("AuthorId").GetString());
        Assert.Equal(MangopayTestKit.WalletId, body.GetProperty("CreditedWalletId").GetString());
        Assert.Equal("CHF", body.GetProperty("DebitedFunds").GetProperty("Currency").GetString());
        Assert.Equal(4990, body.GetProperty("DebitedFunds").GetProperty("Amount").GetInt64());
        Assert.Equal("CHF", body.GetProperty("Fees").GetProperty("Currency").GetString());
        Assert.Equal(150, body.GetProperty("Fees").GetProperty("Amount").GetInt64());
        Assert.Equal(MangopayTestKit.ReturnUrl.AbsoluteUri, body.GetProperty("ReturnURL").GetString());
        Assert.Equal($"{MangopayTestKit.OrderId} SO-1001", body.GetProperty("Tag").GetString());
        Assert.Equal("ACME SHOP", body.GetProperty("StatementDescriptor").GetString());
    }

    [Fact]
    public async Task Create_sends_fees_zero_and_no_descriptor_by_default_and_the_orders_own_descriptor_wins()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler);

        await CreateAsync(services);
        await CreateAsync(services, MangopayTestKit.Order(providerOptions: new Dictionary<string, string> { ["statementDescriptor"] = "Order 42" }));

        var plain = handler.Requests[1].Json();
        Assert.Equal(0, plain.GetProperty("Fees").GetProperty("Amount").GetInt64());
        Assert.False(plain.TryGetProperty("StatementDescriptor", out _));
        Assert.Equal("Order 42", handler.Requests[2].Json().GetProperty("StatementDescriptor").GetString());
    }

    [Fact]
    public async Task Create_maps_the_payin_to_a_session_that_expires_after_15_minutes()
    {
        var now = new DateTimeOffset(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler, clock: new ManualClock(now));

        var session = await CreateAsync(services);

        Assert.Equal(MangopayTestKit.PayInId, session.ProviderReference);
        Assert.StartsWith("https://r3.girogate.de/ti/simtwint?tx=140079495229&rs=", session.RedirectUrl, StringComparison.Ordinal);
        Assert.Equal(now.AddMinutes(15), session.ExpiresAt);
        Assert.Equal(MangopayTestKit.AuthorId, session.ProviderData["author_id"]);
        Assert.Equal(MangopayTestKit.WalletId, session.ProviderData["credited_wallet_id"]);
    }

    [Fact]
    public async Task A_param_error_is_a_rejection_with_mangopays_type_and_the_raw_body_kept_out_of_the_message()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.BadRequest, MangopayTestKit.ErrorJson("param_error", errors: """{"DebitedFunds.Currency":"anna@example.ch is not CHF"}"""));
        using var services = MangopayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

        Assert.Equal(2, handler.Count);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("param_error", ex.ProviderCode);
        Assert.Contains("DebitedFunds.Currency", ex.RawBody, StringComparison.Ordinal);
        Assert.DoesNotContain("anna", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MangopayTestKit.AccessToken, ex.Message, StringComparison.Ordinal);
        Assert.Equal($"mangopay: POST /v2.01/{MangopayTestKit.ClientId}/payins/payment-methods/twint answered 400 (rejected).", ex.Message);
    }

    [Fact]
    public async Task Get_is_retried_on_503_then_succeeds()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "SUCCEEDED", resultCode: "000000", resultMessage: "Success"));
        using var services = MangopayTestKit.Services(handler);

        var payIn = await services.GetRequiredService<MangopayClient>().GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);

        Assert.Equal(4, handler.Count);
        Assert.All(handler.Requests.Skip(1), r =>
        {
            Assert.Equal(HttpMethod.Get, r.Method);
            Assert.Equal(MangopayTestKit.PayInPath, r.Uri.AbsolutePath);
            Assert.Equal(Bearer, r.Header("Authorization"));
            Assert.Null(r.Header("Idempotency-Key"));
        });
        Assert.Equal("SUCCEEDED", payIn.Status);
        Assert.Equal("000000", payIn.ResultCode);
        Assert.Equal(4990, payIn.DebitedFunds!.Amount);
    }

    [Fact]
    public async Task A_payin_mangopay_does_not_know_is_not_found()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.NotFound, MangopayTestKit.ErrorJson("ressource_not_found", "The ressource does not exist", """{"RessourceNotFound":"Cannot found the ressource PayIn with the id=wt_x "}"""));
        using var services = MangopayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
            services.GetRequiredService<MangopayClient>().GetPayInAsync("wt_x", CancellationToken.None));

        Assert.Equal(2, handler.Count);
        Assert.Equal(ProviderFailure.NotFound, ex.Failure);
        Assert.Equal("ressource_not_found", ex.ProviderCode);
    }

    [Fact]
    public async Task A_payin_created_failed_is_a_rejection_with_its_result_code()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "FAILED", resultCode: "002951", resultMessage: "Beneficiary not verified", redirectUrl: null));
        using var services = MangopayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("002951", ex.ProviderCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a url")]
    [InlineData("javascript:alert(1)")]
    public async Task A_payin_without_a_usable_redirect_url_is_an_unavailable_provider(string? redirect)
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(redirectUrl: redirect));
        using var services = MangopayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task A_return_url_over_255_characters_is_refused_before_anything_is_sent()
    {
        var handler = new CapturingHandler();
        using var services = MangopayTestKit.Services(handler);
        var longReturn = new Uri($"https://{new string('a', 160)}.example/api/return/mangopay/{MangopayTestKit.OrderId}/{new string('t', 43)}");

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
            services.Provider().CreateSessionAsync(MangopayTestKit.SessionRequest(MangopayTestKit.Order(), longReturn), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public void Idempotency_keys_are_deterministic_distinct_and_in_mangopays_format()
    {
        var payIn = MangopayIdempotencyKeys.PayIn(MangopayTestKit.OrderId);

        Assert.Equal(payIn, MangopayIdempotencyKeys.PayIn(MangopayTestKit.OrderId));
        Assert.NotEqual(payIn, MangopayIdempotencyKeys.PayIn("ord_0190a1b2c3d4e5f60718293a4b5c6d7f"));
        Assert.NotEqual(payIn, MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_1"));
        Assert.Equal(MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_1"), MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_1"));
        Assert.True(MangopayIdempotencyKeys.IsValid(payIn));
        Assert.Equal(36, payIn.Length);
        Assert.True(MangopayIdempotencyKeys.IsValid(MangopayIdempotencyKeys.Refund("x", new string('é', 300))));
    }

    [Fact]
    public void Secrets_stay_out_of_tostring()
    {
        using var services = MangopayTestKit.Services(null);
        var options = services.GetRequiredService<IOptions<MangopayOptions>>().Value;

        Assert.DoesNotContain(MangopayTestKit.ApiKey, options.ToString(), StringComparison.Ordinal);
        Assert.Contains(MangopayTestKit.ClientId, options.ToString(), StringComparison.Ordinal);
        var token = new MangopayAccessToken("Bearer", MangopayTestKit.AccessToken, DateTimeOffset.UnixEpoch, options);
        Assert.DoesNotContain(MangopayTestKit.AccessToken, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(MangopayTestKit.AccessToken, new MangopayToken { AccessToken = MangopayTestKit.AccessToken }.ToString(), StringComparison.Ordinal);
    }
}
