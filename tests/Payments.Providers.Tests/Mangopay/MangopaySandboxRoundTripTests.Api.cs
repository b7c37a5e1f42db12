using System.Net.Http.Headers;
using Payments.Providers.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>The sandbox's API itself: its tokens, its idempotency keys, and what it refuses as Mangopay refuses it.</summary>
public sealed partial class MangopaySandboxRoundTripTests
{
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

        using (var wrongKey = await http.SendAsync(MangopaySandboxServer.TokenRequest("sandbox-client", "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        using var tokenAnswer = await http.SendAsync(MangopaySandboxServer.TokenRequest(MangopayOptionsDefaults.ClientId, MangopayOptionsDefaults.ApiKey));
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
}
