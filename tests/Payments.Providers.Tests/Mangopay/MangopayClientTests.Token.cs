using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Providers;
using Payments.Providers.Mangopay;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>
/// The OAuth token: fetched once and reused, refreshed once on a 401, its request retried, refused and configured.
/// </summary>
public sealed partial class MangopayClientTests
{
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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
            services.GetRequiredService<MangopayClient>().GetPayInAsync(MangopayTestKit.PayInId, CancellationToken.None));

        Assert.Equal(4, handler.Count);
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("not_authorized", ex.ProviderCode);
    }

    [Fact]
    public async Task A_refused_token_request_is_a_rejection_without_the_key_in_it()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.Unauthorized, MangopayTestKit.ErrorJson("not_authorized", "Authentication failed"));
        using var services = MangopayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => CreateAsync(services));

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

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
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
}
