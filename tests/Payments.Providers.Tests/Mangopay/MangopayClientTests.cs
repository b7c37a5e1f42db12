using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Mangopay;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.Mangopay;

public sealed class MangopayClientTests
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
    public async Task The_token_is_fetched_once_and_reused_until_shortly_before_it_expires()
    {
        var clock = new ManualClock(new DateTimeOffset(2024, 6, 3, 10, 0, 0, TimeSpan.Zero));
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_first", expiresIn: 1200))
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_second", expiresIn: 1200))
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler, clock: clock);
        var client = services.GetRequiredService<MangopayClient>();

        await client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(10));
        await client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(569)); // 1199 s in: 1 s before the 30 s margin
        await client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2)); // inside the margin: renewed before Mangopay would refuse it
        await client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);

        var paths = handler.Requests.Select(r => r.Uri.AbsolutePath).ToList();
        Assert.Equal(["/v2.01/oauth/token", MangopayTestKit.PayInPath, MangopayTestKit.PayInPath, MangopayTestKit.PayInPath, "/v2.01/oauth/token", MangopayTestKit.PayInPath], paths);
        Assert.Equal(["Bearer tok_first", "Bearer tok_first", "Bearer tok_first", "Bearer tok_second"],
            handler.Requests.Where(r => r.Uri.AbsolutePath != "/v2.01/oauth/token").Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task Concurrent_calls_share_one_token_fetch()
    {
        var handler = new CapturingHandler()
            .Respond(async (_, ct) =>
            {
                await Task.Delay(200, ct);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(MangopayTestKit.TokenJson(), Encoding.UTF8, "application/json") };
            })
            .Otherwise(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler);
        var client = services.GetRequiredService<MangopayClient>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None)));

        Assert.Equal(1, handler.Requests.Count(r => r.Uri.AbsolutePath == "/v2.01/oauth/token"));
        Assert.Equal(9, handler.Count);
    }

    [Fact]
    public async Task A_401_refreshes_the_token_once_and_the_call_succeeds()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_revoked"))
            .Respond(HttpStatusCode.Unauthorized, MangopayTestKit.ErrorJson("not_authorized", "Your authorization do not allow you to access to this information"))
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_new"))
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "SUCCEEDED"))
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "SUCCEEDED"));
        using var services = MangopayTestKit.Services(handler);
        var client = services.GetRequiredService<MangopayClient>();

        var payIn = await client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);
        await client.GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);

        Assert.Equal("SUCCEEDED", payIn.Status);
        Assert.Equal(["/v2.01/oauth/token", MangopayTestKit.PayInPath, "/v2.01/oauth/token", MangopayTestKit.PayInPath, MangopayTestKit.PayInPath],
            handler.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.Equal("Bearer tok_revoked", handler.Requests[1].Header("Authorization"));
        Assert.Equal("Bearer tok_new", handler.Requests[3].Header("Authorization"));
        Assert.Equal("Bearer tok_new", handler.Requests[4].Header("Authorization"));
    }

    [Fact]
    public async Task A_second_401_is_not_retried_again()
    {
        var unauthorized = MangopayTestKit.ErrorJson("not_authorized", "Your authorization do not allow you to access to this information");
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_a"))
            .Respond(HttpStatusCode.Unauthorized, unauthorized)
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_b"))
            .Respond(HttpStatusCode.Unauthorized, unauthorized);
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() =>
            services.GetRequiredService<MangopayClient>().GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None));

        Assert.Equal(4, handler.Count);
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("not_authorized", ex.ProviderCode);
    }

    [Fact]
    public async Task A_401_on_a_create_resends_it_with_the_same_idempotency_key()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_a"))
            .Respond(HttpStatusCode.Unauthorized, MangopayTestKit.ErrorJson("not_authorized"))
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson("tok_b"))
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler);

        await CreateAsync(services);

        Assert.Equal(handler.Requests[1].Body, handler.Requests[3].Body);
        Assert.Equal(PayInKey, handler.Requests[1].Header("Idempotency-Key"));
        Assert.Equal(PayInKey, handler.Requests[3].Header("Idempotency-Key"));
        Assert.Equal("Bearer tok_b", handler.Requests[3].Header("Authorization"));
    }

    [Fact]
    public async Task Create_is_retried_on_503_with_the_same_idempotency_key()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.ServiceUnavailable, MangopayTestKit.ErrorJson("internal_error", "Service unavailable"))
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler);

        var session = await CreateAsync(services);

        Assert.Equal(MangopayTestKit.PayInId, session.ProviderReference);
        var creates = handler.Requests.Skip(1).ToList();
        Assert.Equal(3, creates.Count);
        Assert.All(creates, r =>
        {
            Assert.Equal(HttpMethod.Post, r.Method);
            Assert.Equal(PayInKey, r.Header("Idempotency-Key"));
            Assert.Equal(creates[0].Body, r.Body);
            Assert.Equal(Bearer, r.Header("Authorization"));
        });
    }

    [Fact]
    public async Task Create_is_retried_after_a_timeout_and_a_network_error_with_the_same_key()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Hang()
            .FailWithNetworkError()
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler, s => s["Providers:Mangopay:Http:AttemptTimeout"] = "00:00:00.200");

        await CreateAsync(services);

        Assert.Equal(4, handler.Count);
        Assert.Equal(3, handler.Requests.Count(r => r.Header("Idempotency-Key") == PayInKey));
    }

    [Fact]
    public async Task Create_gives_up_after_the_configured_retries_as_unavailable()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Otherwise(HttpStatusCode.InternalServerError, MangopayTestKit.ErrorJson("internal_error"));
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(5, handler.Count); // the token, then 1 + 3 retries
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Equal(500, ex.StatusCode);
        Assert.Equal("mangopay", ex.Provider);
    }

    [Fact]
    public async Task A_409_after_a_lost_answer_reads_the_first_answer_instead_of_creating_again()
    {
        // Mangopay blocks every reuse of a key with 409, even the retry of a request whose answer was lost.
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.BadGateway)
            .Respond(HttpStatusCode.Conflict, MangopayTestKit.ErrorJson("idempotent_creation_conflict", "A resource has already been created with this Idempotency Key"))
            .Respond(HttpStatusCode.OK, $$"""{"StatusCode":"200","ContentLength":"1024","ContentType":"application/json; charset=utf-8","Date":1718010000,"RequestURL":"https://api.sandbox.mangopay.com/v2.01/acme-platform/payins/payment-methods/twint","Resource":{{MangopayTestKit.PayInJson()}}}""");
        using var services = MangopayTestKit.Services(handler);

        var session = await CreateAsync(services);

        Assert.Equal(MangopayTestKit.PayInId, session.ProviderReference);
        var lookup = handler.Requests[3];
        Assert.Equal(HttpMethod.Get, lookup.Method);
        Assert.Equal($"/v2.01/{MangopayTestKit.ClientId}/responses/{PayInKey}", lookup.Uri.AbsolutePath);
        Assert.Equal(Bearer, lookup.Header("Authorization"));
    }

    [Fact]
    public async Task A_409_whose_stored_first_answer_is_not_a_pay_in_is_a_provider_error_not_a_crash()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.Conflict, MangopayTestKit.ErrorJson("idempotent_creation_conflict"))
            .Respond(HttpStatusCode.OK, """{"StatusCode":"200","RequestURL":"https://api.sandbox.mangopay.com/v2.01/acme-platform/payins/payment-methods/twint","Resource":{"Id":{"not":"a string"},"Status":[1]}}""");
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task A_409_whose_first_answer_was_a_refusal_is_that_refusal()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.Conflict, MangopayTestKit.ErrorJson("idempotent_creation_conflict"))
            .Respond(HttpStatusCode.OK, $$"""{"StatusCode":"400","Date":1718010000,"RequestURL":"x","Resource":{{MangopayTestKit.ErrorJson("param_error", errors: """{"ReturnURL":"too long"}""")}}}""");
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("param_error", ex.ProviderCode);
        Assert.Contains("ReturnURL", ex.RawBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_409_for_a_key_first_used_elsewhere_stays_a_409()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.Conflict, MangopayTestKit.ErrorJson("idempotent_creation_conflict"))
            .Respond(HttpStatusCode.OK, $$"""{"StatusCode":"200","RequestURL":"https://api.sandbox.mangopay.com/v2.01/acme-platform/payins/wt_1/refunds","Resource":{{MangopayTestKit.RefundJson()}}}""");
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(409, ex.StatusCode);
    }

    [Fact]
    public async Task A_payin_answered_for_our_key_that_is_another_orders_is_refused()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(tag: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa SO-1001"));
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
    }

    [Fact]
    public async Task A_409_that_mangopay_cannot_explain_stays_a_409()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.Conflict, MangopayTestKit.ErrorJson("idempotent_creation_conflict"))
            .Respond(HttpStatusCode.NotFound, MangopayTestKit.ErrorJson("ressource_not_found", "The ressource does not exist"));
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(409, ex.StatusCode);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("idempotent_creation_conflict", ex.ProviderCode);
    }

    [Fact]
    public async Task A_param_error_is_a_rejection_with_mangopays_type_and_the_raw_body_kept_out_of_the_message()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.BadRequest, MangopayTestKit.ErrorJson("param_error", errors: """{"DebitedFunds.Currency":"anna@example.ch is not CHF"}"""));
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(2, handler.Count);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("param_error", ex.ProviderCode);
        Assert.Contains("DebitedFunds.Currency", ex.RawBody, StringComparison.Ordinal);
        Assert.DoesNotContain("anna", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MangopayTestKit.AccessToken, ex.Message, StringComparison.Ordinal);
        Assert.Equal($"mangopay: POST /v2.01/{MangopayTestKit.ClientId}/payins/payment-methods/twint answered 400 (rejected).", ex.Message);
    }

    [Fact]
    public async Task A_refused_token_request_is_a_rejection_without_the_key_in_it()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.Unauthorized, MangopayTestKit.ErrorJson("not_authorized", "Authentication failed"));
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(401, ex.StatusCode);
        Assert.DoesNotContain(MangopayTestKit.ApiKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_request_is_retried_on_503()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler);

        await services.GetRequiredService<MangopayClient>().GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count(r => r.Uri.AbsolutePath == "/v2.01/oauth/token"));
    }

    [Theory]
    [InlineData("""{"access_token":"","token_type":"Bearer","expires_in":1200}""")]
    [InlineData("""{"access_token":"abc","token_type":"Bearer"}""")]
    [InlineData("""{"access_token":"abc","token_type":"Bearer","expires_in":0}""")]
    [InlineData("""not json""")]
    public async Task An_unusable_token_answer_is_an_unavailable_provider(string answer)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, answer);
        using var services = MangopayTestKit.Services(handler);

        var ex = await Assert.ThrowsAsync<MangopayException>(() =>
            services.GetRequiredService<MangopayClient>().GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task The_token_path_is_configurable_and_relative_to_the_base_url()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson());
        using var services = MangopayTestKit.Services(handler,
            s => s["Providers:Mangopay:TokenPath"] = "/v2.01/acme-platform/oauth/token",
            baseUrl: "https://gateway.example/mangopay/");

        await services.GetRequiredService<MangopayClient>().GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None);

        Assert.Equal("https://gateway.example/mangopay/v2.01/acme-platform/oauth/token", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal($"https://gateway.example/mangopay{MangopayTestKit.PayInPath}", handler.Requests[1].Uri.AbsoluteUri);
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

        var ex = await Assert.ThrowsAsync<MangopayException>(() =>
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

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

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

        var ex = await Assert.ThrowsAsync<MangopayException>(() => CreateAsync(services));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task A_return_url_over_255_characters_is_refused_before_anything_is_sent()
    {
        var handler = new CapturingHandler();
        using var services = MangopayTestKit.Services(handler);
        var longReturn = new Uri($"https://{new string('a', 160)}.example/api/return/mangopay/{MangopayTestKit.OrderId}/{new string('t', 43)}");

        var ex = await Assert.ThrowsAsync<MangopayException>(() =>
            services.Provider().CreateSessionAsync(MangopayTestKit.SessionRequest(MangopayTestKit.Order(), longReturn), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task A_partial_refund_posts_debited_funds_and_zero_fees_with_a_key_from_the_refund_id()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, MangopayTestKit.RefundJson(amount: 1000));
        using var services = MangopayTestKit.Services(handler);
        var order = MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId);

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rf_123", 1000, "requested_by_customer", "broken mug"), CancellationToken.None);

        Assert.Equal(RefundOutcome.Succeeded, result.Outcome);
        Assert.Equal("refund_m_01HW", result.ProviderRefundId);
        Assert.Equal("SUCCEEDED", result.ProviderStatus);
        var posts = handler.Requests.Skip(1).ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, r =>
        {
            Assert.Equal(HttpMethod.Post, r.Method);
            Assert.Equal($"/v2.01/{MangopayTestKit.ClientId}/payins/{MangopayTestKit.PayInId}/refunds", r.Uri.AbsolutePath);
            Assert.Equal(MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_123"), r.Header("Idempotency-Key"));
            Assert.Equal(Bearer, r.Header("Authorization"));
        });
        var body = posts[0].Json();
        Assert.Equal(MangopayTestKit.AuthorId, body.GetProperty("AuthorId").GetString());
        Assert.Equal(1000, body.GetProperty("DebitedFunds").GetProperty("Amount").GetInt64());
        Assert.Equal("CHF", body.GetProperty("DebitedFunds").GetProperty("Currency").GetString());
        Assert.Equal(0, body.GetProperty("Fees").GetProperty("Amount").GetInt64());
        Assert.DoesNotContain("broken", posts[0].Body, StringComparison.Ordinal);
        Assert.NotEqual(MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_124"), posts[0].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_full_refund_sends_neither_debited_funds_nor_fees()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.RefundJson(amount: 4990));
        using var services = MangopayTestKit.Services(handler);

        await services.Provider().RefundAsync(MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId),
            new RefundRequest("rf_full", 4990, null, null), CancellationToken.None);

        var body = handler.Requests[1].Json();
        Assert.False(body.TryGetProperty("DebitedFunds", out _));
        Assert.False(body.TryGetProperty("Fees", out _));
        Assert.Equal(MangopayTestKit.AuthorId, body.GetProperty("AuthorId").GetString());
    }

    [Fact]
    public async Task A_refund_mangopay_refuses_is_rejected_an_unknown_payin_failed_and_an_unreachable_mangopay_unavailable()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.BadRequest, MangopayTestKit.ErrorJson("param_error"))
            .Respond(HttpStatusCode.NotFound, MangopayTestKit.ErrorJson("ressource_not_found"))
            .Otherwise(HttpStatusCode.ServiceUnavailable);
        using var services = MangopayTestKit.Services(handler);
        var order = MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId);

        var refused = await Assert.ThrowsAsync<MangopayException>(() =>
            services.Provider().RefundAsync(order, new RefundRequest("rf_1", 100, null, null), CancellationToken.None));
        var unknown = await services.Provider().RefundAsync(order, new RefundRequest("rf_2", 100, null, null), CancellationToken.None);
        var down = await Assert.ThrowsAsync<MangopayException>(() =>
            services.Provider().RefundAsync(order, new RefundRequest("rf_3", 100, null, null), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, refused.Failure);
        Assert.Equal("param_error", refused.ProviderCode);
        Assert.Equal(RefundOutcome.Failed, unknown.Outcome);
        Assert.Equal(ProviderFailure.Unavailable, down.Failure);
        Assert.Equal(7, handler.Count); // the token, the 400 and the 404 once each, the 503 four times
    }

    [Fact]
    public async Task A_refund_without_a_payin_is_failed_without_a_call()
    {
        var handler = new CapturingHandler();
        using var services = MangopayTestKit.Services(handler);

        var result = await services.Provider().RefundAsync(MangopayTestKit.Order(), new RefundRequest("rf_1", 100, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Failed, result.Outcome);
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
