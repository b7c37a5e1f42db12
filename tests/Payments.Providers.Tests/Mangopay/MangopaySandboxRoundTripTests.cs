using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Providers.Mangopay;
using Payments.Sandbox;
using Payments.Sandbox.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>The real Mangopay client and provider against the sandbox on a real Kestrel port, as a browser would go through it.</summary>
public sealed partial class MangopaySandboxRoundTripTests
{
    private static Task<ProviderSession> CreateAsync(IServiceProvider services, Order order) =>
        services.Provider().CreateSessionAsync(MangopayTestKit.SessionRequest(order), CancellationToken.None);

    [Fact]
    public async Task Pay_comes_back_by_a_plain_redirect_with_the_transaction_id_and_confirms_as_succeeded()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var provider = services.Provider();
        var order = MangopayTestKit.Order();

        var session = await CreateAsync(services, order);
        Assert.StartsWith($"{sandbox.BaseUrl}/twint/", session.RedirectUrl, StringComparison.Ordinal);
        Assert.StartsWith("wt_", session.ProviderReference, StringComparison.Ordinal);

        using var browser = Browser();
        var page = await browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("CHF 49.90", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pay\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"decline\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pending\"", page, StringComparison.Ordinal);
        Assert.Contains($"{MangopayTestKit.OrderId} SO-1001", page, StringComparison.Ordinal);

        var back = await DecideAsync(browser, session.RedirectUrl, "pay");
        Assert.Equal($"{MangopayTestKit.ReturnUrl.AbsoluteUri}?transactionId={session.ProviderReference}", back.AbsoluteUri);

        var evidence = provider.ReadReturn(MangopayTestKit.Return(Query(back)));
        Assert.Equal(session.ProviderReference, evidence.ProviderReference);

        var state = await provider.ConfirmAsync(order with { ProviderReference = session.ProviderReference }, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("000000", state.ProviderData!["result_code"]);

        // The page is decided once; the hook went to the configured URL.
        using var again = await browser.PostAsync(session.RedirectUrl, Form("pay"));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var hook = await sandbox.NextHookAsync();
        Assert.Equal("PAYIN_NORMAL_SUCCEEDED", hook["EventType"]);
        Assert.Equal(session.ProviderReference, hook["RessourceId"]);
        Assert.Matches("^[0-9]+$", hook["Date"]);
        Assert.Equal(WebhookVerdict.Accepted, provider.ReadWebhook(MangopayTestKit.Hook(hook)).Verdict);
    }

    [Fact]
    public async Task Decline_comes_back_the_same_way_and_fails_with_mangopays_result()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);

        using var browser = Browser();
        var back = await DecideAsync(browser, session.RedirectUrl, "decline");
        var evidence = services.Provider().ReadReturn(MangopayTestKit.Return(Query(back)));

        var state = await services.Provider().ConfirmAsync(order with { ProviderReference = session.ProviderReference }, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Failed, state.Status);
        Assert.Equal("101002", state.ProviderData!["result_code"]);
        Assert.Equal("The transaction has been cancelled by the user", state.ProviderData["result_message"]);
        Assert.Equal("PAYIN_NORMAL_FAILED", (await sandbox.NextHookAsync())["EventType"]);
    }

    [Fact]
    public async Task Leave_pending_returns_without_an_outcome_and_the_page_stays_open()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);

        using var browser = Browser();
        var back = await DecideAsync(browser, session.RedirectUrl, "pending");
        var state = await services.Provider().ConfirmAsync(order with { ProviderReference = session.ProviderReference },
            services.Provider().ReadReturn(MangopayTestKit.Return(Query(back))), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal("CREATED", state.ProviderStatus);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(session.RedirectUrl)).StatusCode);
    }

    [Fact]
    public async Task Another_orders_paid_payin_does_not_settle_ours()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var theirs = MangopayTestKit.Order(id: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var theirSession = await CreateAsync(services, theirs);
        using var browser = Browser();
        var theirReturn = await DecideAsync(browser, theirSession.RedirectUrl, "pay");

        // Ours has no pay-in linked yet (or one still CREATED): a return naming theirs changes nothing either way.
        var ours = MangopayTestKit.Order();
        var forged = services.Provider().ReadReturn(MangopayTestKit.Return(Query(theirReturn)));
        var unlinked = await services.Provider().ConfirmAsync(ours, forged, CancellationToken.None);
        Assert.Null(unlinked.Status);
        Assert.Null(unlinked.ProviderReference);

        var ourSession = await CreateAsync(services, ours);
        var linked = await services.Provider().ConfirmAsync(ours with { ProviderReference = ourSession.ProviderReference }, forged, CancellationToken.None);
        Assert.Null(linked.Status);
        Assert.Equal("CREATED", linked.ProviderStatus);
    }

    [Fact]
    public async Task The_control_endpoint_settles_a_payin_and_delivers_its_hook()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);

        using var http = new HttpClient();
        using var answer = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/payins/{session.ProviderReference}/status",
            new StringContent("""{"Status":"SUCCEEDED"}""", Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("SUCCEEDED", body["PayIn"]!["Status"]!.GetValue<string>());
        Assert.Equal(200, body["Hook"]!["StatusCode"]!.GetValue<int>());
        Assert.StartsWith($"{sandbox.Address}hooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId={session.ProviderReference}&Date=",
            body["Hook"]!["Url"]!.GetValue<string>(), StringComparison.Ordinal);
        var hook = await sandbox.NextHookAsync();
        var reading = services.Provider().ReadWebhook(MangopayTestKit.Hook(hook));
        var state = await services.Provider().ConfirmAsync(order with { ProviderReference = reading.ProviderReference }, reading.Evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
    }

    [Fact]
    public async Task Partial_refunds_add_up_and_an_over_refund_is_refused()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);
        using var browser = Browser();
        await DecideAsync(browser, session.RedirectUrl, "pay");
        var paid = order with { ProviderReference = session.ProviderReference, ProviderData = session.ProviderData };

        var first = await services.Provider().RefundAsync(paid, new RefundRequest("rf_1", 1000, null, null), CancellationToken.None);
        var repeat = await services.Provider().RefundAsync(paid, new RefundRequest("rf_1", 1000, null, null), CancellationToken.None);
        var second = await services.Provider().RefundAsync(paid, new RefundRequest("rf_2", 3990, null, null), CancellationToken.None);
        var over = await Assert.ThrowsAsync<MangopayException>(() =>
            services.Provider().RefundAsync(paid, new RefundRequest("rf_3", 1, null, null), CancellationToken.None));

        Assert.Equal(RefundOutcome.Succeeded, first.Outcome);
        Assert.Equal(first.ProviderRefundId, repeat.ProviderRefundId);
        Assert.Equal(RefundOutcome.Succeeded, second.Outcome);
        Assert.NotEqual(first.ProviderRefundId, second.ProviderRefundId);
        Assert.Equal(ProviderFailure.Rejected, over.Failure);
        Assert.Equal("param_error", over.ProviderCode);
        var refund = await services.GetRequiredService<MangopayClient>().GetRefundAsync(second.ProviderRefundId!, CancellationToken.None);
        Assert.Equal(3990, refund.DebitedFunds!.Amount);
        Assert.Equal(session.ProviderReference, refund.InitialTransactionId);

        // A lost answer is read back from Mangopay's stored answer to the refund's key, never by refunding again; a
        // refund whose request never arrived has no stored answer.
        var lost = new RefundRecord("rf_2", 3990, null, RefundRecordOutcome.Requested, DateTimeOffset.UtcNow);
        var found = await services.Provider().FindRefundAsync(paid, lost, CancellationToken.None);
        Assert.Equal((RefundOutcome.Succeeded, second.ProviderRefundId), (found?.Outcome, found?.ProviderRefundId));
        var never = await services.Provider().FindRefundAsync(paid, lost with { RefundId = "rf_never" }, CancellationToken.None);
        Assert.Equal(RefundOutcome.Failed, never?.Outcome);
    }

    [Fact]
    public async Task A_refund_of_an_unpaid_payin_is_refused()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);

        var ex = await Assert.ThrowsAsync<MangopayException>(() => services.Provider().RefundAsync(order with { ProviderReference = session.ProviderReference },
            new RefundRequest("rf_1", 100, null, null), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
    }

    [Fact]
    public async Task One_token_serves_many_calls()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();

        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(services, MangopayTestKit.Order(id: $"ord_{i:x32}"));
        }

        Assert.Equal(1, sandbox.State.TokensIssued);
    }

    [Fact]
    public async Task A_revoked_token_is_replaced_after_one_401()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var session = await CreateAsync(services, MangopayTestKit.Order());

        sandbox.State.RevokeTokens();
        var payIn = await services.GetRequiredService<MangopayClient>().GetPayInAsync(session.ProviderReference!, CancellationToken.None);

        Assert.Equal("CREATED", payIn.Status);
        Assert.Equal(2, sandbox.State.TokensIssued);
    }

    [Fact]
    public async Task An_expired_token_is_renewed_before_mangopay_refuses_it()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync(new() { ["Sandbox:Mangopay:TokenLifetimeSeconds"] = "1" });
        using var services = sandbox.ClientServices();
        var session = await CreateAsync(services, MangopayTestKit.Order());

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await services.GetRequiredService<MangopayClient>().GetPayInAsync(session.ProviderReference!, CancellationToken.None);

        Assert.Equal(2, sandbox.State.TokensIssued);
    }

    [Fact]
    public async Task The_same_key_with_the_same_body_gets_the_same_answer_and_a_different_body_409()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var http = await sandbox.AuthorizedApiAsync();
        var body = MangopayOrderMapping.ToCreateRequest(MangopayTestKit.Order(), MangopayTestKit.ReturnUrl, Options());
        const string key = "0f8fad5b-d9cb-469f-a165-70867728950e";

        async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(object payload)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{MangopayOptionsDefaults.ClientId}/payins/payment-methods/twint")
            {
                Content = Json(System.Text.Json.JsonSerializer.Serialize(payload, MangopayJson.Options)),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var answer = await http.SendAsync(request);
            return (answer.StatusCode, JsonNode.Parse(await answer.Content.ReadAsStringAsync())!);
        }

        var first = await PostAsync(body);
        var again = await PostAsync(body);
        var other = await PostAsync(body with { Tag = "another" });

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body["Id"]!.GetValue<string>(), again.Body["Id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, other.Status);
        Assert.Equal("idempotent_creation_conflict", other.Body["Type"]!.GetValue<string>());

        using var stored = await http.GetAsync($"{MangopayOptionsDefaults.ClientId}/responses/{key}");
        var response = JsonNode.Parse(await stored.Content.ReadAsStringAsync())!;
        Assert.Equal("200", response["StatusCode"]!.GetValue<string>());
        Assert.EndsWith("/payins/payment-methods/twint", response["RequestURL"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(first.Body["Id"]!.GetValue<string>(), response["Resource"]!["Id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Where_mangopay_blocks_every_reused_key_the_client_reads_the_first_answer()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync(new() { ["Sandbox:Mangopay:IdempotencyReplay"] = "false" });
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();

        var first = await CreateAsync(services, order);
        var taken = await CreateAsync(services, order); // e.g. a create taken over after a crash

        Assert.Equal(first.ProviderReference, taken.ProviderReference);
        Assert.Equal(first.RedirectUrl, taken.RedirectUrl);
    }

    [Fact]
    public async Task The_sandbox_api_refuses_what_mangopay_refuses()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.BaseUrl}/v2.01/") };
        var twint = $"{MangopayOptionsDefaults.ClientId}/payins/payment-methods/twint";
        static string Body(long amount = 4990, string currency = "CHF", string returnUrl = "https://shop.example/return", string? descriptor = null, long fees = 0) =>
            new JsonObject
            {
                ["AuthorId"] = "usr_1",
                ["CreditedWalletId"] = "wlt_1",
                ["DebitedFunds"] = new JsonObject { ["Currency"] = currency, ["Amount"] = amount },
                ["Fees"] = new JsonObject { ["Currency"] = currency, ["Amount"] = fees },
                ["ReturnURL"] = returnUrl,
                ["StatementDescriptor"] = descriptor,
            }.ToJsonString();

        using (var noToken = await http.PostAsync(twint, Json(Body())))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
            var error = JsonNode.Parse(await noToken.Content.ReadAsStringAsync())!;
            Assert.Equal("not_authorized", error["Type"]!.GetValue<string>());
            Assert.NotNull(error["Message"]);
            Assert.Contains("#", error["Id"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(error["Date"]!.GetValue<long>() > 0);
        }

        using (var wrongKey = await http.SendAsync(TokenRequest("sandbox-client", "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        using var tokenAnswer = await http.SendAsync(TokenRequest(MangopayOptionsDefaults.ClientId, MangopayOptionsDefaults.ApiKey));
        var token = JsonNode.Parse(await tokenAnswer.Content.ReadAsStringAsync())!;
        Assert.Equal("Bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(1200, token["expires_in"]!.GetValue<int>());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token["access_token"]!.GetValue<string>());

        using (var otherPlatform = await http.PostAsync("someone-else/payins/payment-methods/twint", Json(Body())))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, otherPlatform.StatusCode);
        }

        foreach (var (body, field) in new[]
        {
            (Body(currency: "EUR"), "DebitedFunds.Currency"),
            (Body(amount: 0), "DebitedFunds.Amount"),
            (Body(returnUrl: "https://shop.example/" + new string('r', 240)), "ReturnURL"),
            (Body(descriptor: "ELEVEN CHRS"), "StatementDescriptor"),
            (Body(descriptor: "Café"), "StatementDescriptor"),
            (Body(fees: 5000), "Fees.Amount"),
            ("""{"DebitedFunds":{"Currency":"CHF","Amount":100}}""", "AuthorId"),
        })
        {
            using var refused = await http.PostAsync(twint, Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("param_error", error["Type"]!.GetValue<string>());
            Assert.NotNull(error["errors"]![field]);
        }

        using (var badKey = new HttpRequestMessage(HttpMethod.Post, twint) { Content = Json(Body()) })
        {
            badKey.Headers.Add("Idempotency-Key", "short");
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(badKey)).StatusCode);
        }

        using (var missing = await http.GetAsync($"{MangopayOptionsDefaults.ClientId}/payins/wt_nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("ressource_not_found", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["Type"]!.GetValue<string>());
        }

        using (var created = await http.PostAsync(twint, Json(Body(amount: 1))))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            var payIn = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            Assert.Equal("CREATED", payIn["Status"]!.GetValue<string>());
            Assert.Equal("TWINT", payIn["PaymentType"]!.GetValue<string>());
            Assert.Equal("WEB", payIn["ExecutionType"]!.GetValue<string>());
            Assert.Equal($"https://shop.example/return?transactionId={payIn["Id"]}", payIn["ReturnURL"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task The_hosted_page_encodes_what_it_shows()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var session = await CreateAsync(services, MangopayTestKit.Order(merchantReference: "<script>alert(1)</script>"));

        using var browser = Browser();
        var page = await browser.GetStringAsync(session.RedirectUrl);

        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
    }

    private static MangopayOptions Options() => new() { AuthorId = "usr_1", CreditedWalletId = "wlt_1" };

    private static HttpRequestMessage TokenRequest(string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return request;
    }

    private static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false });

    /// <summary>Presses a button on the hosted page; returns where the sandbox redirects the browser (a 302 to the return URL).</summary>
    private static async Task<Uri> DecideAsync(HttpClient browser, string redirectUrl, string decision)
    {
        var page = await browser.GetStringAsync(redirectUrl);
        Assert.Matches(FormTag(), page);
        using var answer = await browser.PostAsync(redirectUrl, Form(decision));
        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        return answer.Headers.Location!;
    }

    private static FormUrlEncodedContent Form(string decision) => new([new KeyValuePair<string, string>("decision", decision)]);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static Dictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);

    [GeneratedRegex("<form method=\"post\" action=\"\">", RegexOptions.CultureInvariant)]
    private static partial Regex FormTag();
}

/// <summary>The sandbox's default credentials, as <c>SandboxDefaults</c> hands them to the client.</summary>
internal static class MangopayOptionsDefaults
{
    public const string ClientId = MangopaySandboxOptions.DefaultClientId;
    public const string ApiKey = MangopaySandboxOptions.DefaultApiKey;
}

/// <summary>
/// The sandbox in a real Kestrel on 127.0.0.1, with a stand-in hook receiver at <c>/hooks/mangopay</c> (set as the
/// sandbox's <c>HookUrl</c>) that records every hook it gets.
/// </summary>
internal sealed class MangopaySandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Dictionary<string, string>> _hooks;
    private readonly SemaphoreSlim _hookArrived;

    private MangopaySandboxServer(WebApplication app, Uri address, ConcurrentQueue<Dictionary<string, string>> hooks, SemaphoreSlim hookArrived)
    {
        _app = app;
        Address = address;
        _hooks = hooks;
        _hookArrived = hookArrived;
    }

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri Address { get; }

    public string BaseUrl => $"{Address.AbsoluteUri.TrimEnd('/')}/sandbox/mangopay";

    public MangopaySandboxState State => _app.Services.GetRequiredService<MangopaySandboxState>();

    public static async Task<MangopaySandboxServer> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?> { ["Sandbox:Mangopay:HookUrl"] = "/hooks/mangopay" };
        foreach (var (k, v) in settings ?? [])
        {
            config[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Services.AddSandbox();
        var hooks = new ConcurrentQueue<Dictionary<string, string>>();
        var arrived = new SemaphoreSlim(0);
        var app = builder.Build();
        app.MapSandbox();
        app.MapGet("/hooks/mangopay", (HttpRequest request) =>
        {
            hooks.Enqueue(request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal));
            arrived.Release();
            return Results.Ok();
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return new MangopaySandboxServer(app, address, hooks, arrived);
    }

    /// <summary>The real client, configured as <c>SandboxDefaults</c> would configure it, pointed at this sandbox.</summary>
    public ServiceProvider ClientServices() => MangopayTestKit.Services(null, s =>
    {
        s["Providers:Mangopay:ClientId"] = MangopayOptionsDefaults.ClientId;
        s["Providers:Mangopay:ApiKey"] = MangopayOptionsDefaults.ApiKey;
    }, baseUrl: BaseUrl);

    /// <summary>A plain HTTP client on <c>{BaseUrl}/v2.01/</c> with a token from the sandbox's token endpoint.</summary>
    public async Task<HttpClient> AuthorizedApiAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri($"{BaseUrl}/v2.01/") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{MangopayOptionsDefaults.ClientId}:{MangopayOptionsDefaults.ApiKey}")));
        using var answer = await http.SendAsync(request);
        var token = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>The next hook the stand-in receiver got (waits up to 5 s).</summary>
    public async Task<Dictionary<string, string>> NextHookAsync()
    {
        Assert.True(await _hookArrived.WaitAsync(TimeSpan.FromSeconds(5)), "no hook arrived");
        Assert.True(_hooks.TryDequeue(out var hook));
        return hook;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _hookArrived.Dispose();
    }
}
