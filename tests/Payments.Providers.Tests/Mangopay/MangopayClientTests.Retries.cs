using System.Net;
using Payments.Core.Providers;
using Payments.Providers.Mangopay;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>
/// Creating a pay-in again with the same idempotency key (after a 401, a 503, a timeout or a network error) and
/// reading the first answer on a 409 instead of creating twice.
/// </summary>
public sealed partial class MangopayClientTests
{
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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

        Assert.Equal(409, ex.StatusCode);
    }

    [Fact]
    public async Task A_payin_answered_for_our_key_that_is_another_orders_is_refused()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(tag: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa SO-1001"));
        using var services = MangopayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

        Assert.Equal(409, ex.StatusCode);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("idempotent_creation_conflict", ex.ProviderCode);
    }
}
