namespace Payments.Providers.Tests.Mangopay;

public sealed class MangopayReturnAndHookTests
{
    private static Dictionary<string, string> Query(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    [Fact]
    public void A_return_names_the_payin_mangopay_appended_and_claims_nothing()
    {
        using var services = MangopayTestKit.Services(null);

        var evidence = services.Provider().ReadReturn(MangopayTestKit.Return(Query(("transactionId", MangopayTestKit.PayInId))));

        Assert.Equal(MangopayTestKit.PayInId, evidence.ProviderReference);
        Assert.Equal(ClaimedOutcome.Unknown, evidence.Claim);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wt_<script>")]
    [InlineData("../../payins/other")]
    [InlineData("wt 1")]
    public void A_return_without_a_readable_payin_id_names_nothing(string? transactionId)
    {
        using var services = MangopayTestKit.Services(null);
        var query = transactionId is null ? Query() : Query(("transactionId", transactionId));

        var evidence = services.Provider().ReadReturn(MangopayTestKit.Return(query));

        Assert.Null(evidence.ProviderReference);
        Assert.Equal(ClaimedOutcome.Unknown, evidence.Claim);
    }

    [Fact]
    public void A_return_id_longer_than_mangopays_128_characters_names_nothing()
    {
        using var services = MangopayTestKit.Services(null);

        var evidence = services.Provider().ReadReturn(MangopayTestKit.Return(Query(("transactionId", new string('a', 129)))));

        Assert.Null(evidence.ProviderReference);
    }

    [Theory]
    [InlineData("PAYIN_NORMAL_SUCCEEDED", ClaimedOutcome.Paid)]
    [InlineData("PAYIN_NORMAL_FAILED", ClaimedOutcome.Failed)]
    public void A_payin_outcome_hook_is_accepted_as_a_trigger_for_its_payin(string eventType, ClaimedOutcome claim)
    {
        using var services = MangopayTestKit.Services(null);

        var reading = services.Provider().ReadWebhook(MangopayTestKit.Hook(Query(
            ("EventType", eventType), ("RessourceId", MangopayTestKit.PayInId), ("Date", "1718010060"))));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal(MangopayTestKit.PayInId, reading.ProviderReference);
        Assert.Null(reading.OrderId);
        Assert.Equal(new ReturnEvidence(MangopayTestKit.PayInId, claim), reading.Evidence);
        Assert.Equal($"{eventType}:{MangopayTestKit.PayInId}:1718010060", reading.EventId);
    }

    [Theory]
    [InlineData("PAYIN_NORMAL_CREATED")]
    [InlineData("PAYIN_REFUND_SUCCEEDED")]
    [InlineData("KYC_SUCCEEDED")]
    public void Other_event_types_are_ignored(string eventType)
    {
        using var services = MangopayTestKit.Services(null);

        var reading = services.Provider().ReadWebhook(MangopayTestKit.Hook(Query(
            ("EventType", eventType), ("RessourceId", "refund_m_01HW"), ("Date", "1718010060"))));

        Assert.Equal(WebhookVerdict.Ignored, reading.Verdict);
        Assert.Null(reading.ProviderReference);
        Assert.Null(reading.Evidence);
    }

    public static TheoryData<string[]> MalformedHooks => new()
    {
        Array.Empty<string>(),
        new[] { "EventType", "PAYIN_NORMAL_SUCCEEDED", "Date", "1718010060" },
        new[] { "EventType", "PAYIN_NORMAL_SUCCEEDED", "RessourceId", MangopayTestKit.PayInId },
        new[] { "RessourceId", MangopayTestKit.PayInId, "Date", "1718010060" },
        new[] { "EventType", "PAYIN_NORMAL_SUCCEEDED", "ResourceId", MangopayTestKit.PayInId, "Date", "1718010060" },
        new[] { "EventType", "PAYIN_NORMAL_SUCCEEDED", "RessourceId", "", "Date", "1718010060" },
        new[] { "EventType", "PAYIN_NORMAL_SUCCEEDED", "RessourceId", "wt_<b>", "Date", "1718010060" },
        new[] { "EventType", "PAYIN_NORMAL_SUCCEEDED", "RessourceId", MangopayTestKit.PayInId, "Date", "yesterday" },
        new[] { "EventType", "<script>", "RessourceId", MangopayTestKit.PayInId, "Date", "1718010060" },
    };

    [Theory]
    [MemberData(nameof(MalformedHooks))]
    public void A_hook_missing_or_garbling_its_parameters_is_malformed(string[] pairs)
    {
        using var services = MangopayTestKit.Services(null);
        var query = pairs.Chunk(2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

        var reading = services.Provider().ReadWebhook(MangopayTestKit.Hook(query));

        Assert.Equal(WebhookVerdict.Malformed, reading.Verdict);
        Assert.Null(reading.ProviderReference);
    }

    [Fact]
    public void Hook_parameter_names_are_read_case_insensitively()
    {
        using var services = MangopayTestKit.Services(null);

        var reading = services.Provider().ReadWebhook(MangopayTestKit.Hook(Query(
            ("eventtype", "PAYIN_NORMAL_SUCCEEDED"), ("ressourceid", MangopayTestKit.PayInId), ("date", "1718010060"))));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
    }

    [Fact]
    public async Task Confirm_reads_the_orders_own_payin_whatever_the_return_names()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "SUCCEEDED", resultCode: "000000", resultMessage: "Success"));
        using var services = MangopayTestKit.Services(handler);
        var order = MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId);

        var state = await services.Provider().ConfirmAsync(order, new ReturnEvidence("wt_someone-elses", ClaimedOutcome.Unknown), CancellationToken.None);

        Assert.Equal(MangopayTestKit.PayInPath, handler.Requests[1].Uri.AbsolutePath);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("SUCCEEDED", state.ProviderStatus);
        Assert.Equal(MangopayTestKit.PayInId, state.ProviderReference);
        Assert.Null(state.Reason);
        Assert.Equal("000000", state.ProviderData!["result_code"]);
        Assert.Equal("Success", state.ProviderData["result_message"]);
    }

    [Fact]
    public async Task A_failed_payin_keeps_its_result_code_and_message()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "FAILED", resultCode: "101002", resultMessage: "The transaction has been cancelled by the user"));
        using var services = MangopayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId), null, CancellationToken.None);

        Assert.Equal(PaymentStatus.Failed, state.Status);
        Assert.Equal("Mangopay pay-in FAILED: 101002 The transaction has been cancelled by the user", state.Reason);
        Assert.Equal("101002", state.ProviderData!["result_code"]);
        Assert.Equal("The transaction has been cancelled by the user", state.ProviderData["result_message"]);
    }

    [Theory]
    [InlineData("CREATED")]
    [InlineData("SOMETHING_NEW")]
    public async Task A_created_or_unknown_payin_changes_nothing(string status)
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: status));
        using var services = MangopayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId),
            new ReturnEvidence(MangopayTestKit.PayInId, ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal(status, state.ProviderStatus);
    }

    [Fact]
    public async Task Without_a_stored_reference_the_returned_payin_is_read_and_linked_if_it_is_ours()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.PayInJson(status: "SUCCEEDED"));
        using var services = MangopayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(MangopayTestKit.Order(),
            new ReturnEvidence(MangopayTestKit.PayInId, ClaimedOutcome.Unknown), CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal(MangopayTestKit.PayInId, state.ProviderReference);
    }

    public static TheoryData<string, string> NotOurs => new()
    {
        { "another order's Tag", MangopayTestKit.PayInJson(status: "SUCCEEDED", tag: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa SO-1001") },
        { "no Tag", MangopayTestKit.PayInJson(status: "SUCCEEDED", tag: "") },
        { "a different amount", MangopayTestKit.PayInJson(status: "SUCCEEDED", amount: 1) },
        { "a different currency", MangopayTestKit.PayInJson(status: "SUCCEEDED", currency: "EUR") },
        { "another author", MangopayTestKit.PayInJson(status: "SUCCEEDED", author: "user_other") },
        { "another wallet", MangopayTestKit.PayInJson(status: "SUCCEEDED", wallet: "wlt_other") },
        { "another id", MangopayTestKit.PayInJson(status: "SUCCEEDED", id: "wt_other") },
    };

    [Theory]
    [MemberData(nameof(NotOurs))]
    public async Task A_payin_that_is_not_the_orders_changes_nothing(string why, string payIn)
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, payIn);
        using var services = MangopayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId), null, CancellationToken.None);

        Assert.True(state.Status is null, why);
        Assert.Null(state.ProviderReference);
    }

    [Fact]
    public async Task A_returned_id_mangopay_does_not_know_changes_nothing()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.NotFound, MangopayTestKit.ErrorJson("ressource_not_found"));
        using var services = MangopayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(MangopayTestKit.Order(), new ReturnEvidence("wt_guess", ClaimedOutcome.Unknown), CancellationToken.None);

        Assert.Null(state.Status);
    }

    [Fact]
    public async Task Nothing_to_read_is_no_change_without_a_call()
    {
        var handler = new CapturingHandler();
        using var services = MangopayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(MangopayTestKit.Order(), new ReturnEvidence(null, ClaimedOutcome.Unknown), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal(0, handler.Count);
    }
}
