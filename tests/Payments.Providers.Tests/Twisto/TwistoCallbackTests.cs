namespace Payments.Providers.Tests.Twisto;

public sealed class TwistoCallbackTests
{
    private static readonly Payments.Providers.Twisto.TwistoProvider Provider = TwistoTestKit.Services(null).Provider();

    [Fact]
    public void A_return_with_checkout_id_and_state_names_the_checkout_and_claims_payment()
    {
        var evidence = Provider.ReadReturn(TwistoTestKit.Return(new Dictionary<string, string> { ["checkout_id"] = TwistoTestKit.CheckoutId, ["state"] = "completed" }));

        Assert.Equal(TwistoTestKit.CheckoutId, evidence.ProviderReference);
        Assert.Equal(ClaimedOutcome.Paid, evidence.Claim);
    }

    [Theory]
    [InlineData("state", "approved", ClaimedOutcome.Paid)]
    [InlineData("state", "cancelled", ClaimedOutcome.Cancelled)]
    [InlineData("state", "error", ClaimedOutcome.Failed)]
    [InlineData("state", "created", ClaimedOutcome.Unknown)]
    [InlineData("state", "bogus", ClaimedOutcome.Unknown)]
    [InlineData("status", "accepted", ClaimedOutcome.Paid)]
    [InlineData("status", "rejected", ClaimedOutcome.Failed)]
    [InlineData("status", "canceled", ClaimedOutcome.Cancelled)]
    [InlineData("status", "checking", ClaimedOutcome.Unknown)]
    public void Return_claims_follow_the_mapping(string field, string word, ClaimedOutcome claim) =>
        Assert.Equal(claim, Provider.ReadReturn(TwistoTestKit.Return(new Dictionary<string, string> { [field] = word })).Claim);

    [Fact]
    public void A_bare_return_names_nothing_and_claims_nothing()
    {
        var evidence = Provider.ReadReturn(TwistoTestKit.Return());

        Assert.Null(evidence.ProviderReference);
        Assert.Equal(ClaimedOutcome.Unknown, evidence.Claim);
    }

    [Fact]
    public void The_cancel_url_claims_cancelled()
    {
        var evidence = Provider.ReadReturn(TwistoTestKit.Return(new Dictionary<string, string> { ["cancel"] = "1" }, cancelled: true));

        Assert.Equal(ClaimedOutcome.Cancelled, evidence.Claim);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("x?y")]
    [InlineData("")]
    [InlineData(" padded ")]
    public void Garbage_references_are_dropped(string reference) =>
        Assert.Null(Provider.ReadReturn(TwistoTestKit.Return(new Dictionary<string, string> { ["checkout_id"] = reference })).ProviderReference);

    [Fact]
    public void The_documented_v4_webhook_is_accepted()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook($$"""
            {"checkout_id":"{{TwistoTestKit.CheckoutId}}","total_amount":"1249.90","refunded_amount":"0.00","created_date":"2019-08-24T14:15:22Z",
             "settled_date":null,"type":"standard","state":"approved","external_id":"{{TwistoTestKit.OrderId}}"}
            """));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal(TwistoTestKit.CheckoutId, reading.ProviderReference);
        Assert.Equal(TwistoTestKit.OrderId, reading.OrderId);
        Assert.Equal(ClaimedOutcome.Paid, reading.Evidence!.Claim);
        Assert.Equal(TwistoTestKit.CheckoutId, reading.Evidence.ProviderReference);
    }

    [Fact]
    public void A_v4_webhook_with_numbers_and_a_foreign_external_id_still_names_the_checkout()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook("""{"checkout_id":12345,"total_amount":1249.9,"refunded_amount":0,"state":"cancelled","external_id":"merchant-tx-9"}"""));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal("12345", reading.ProviderReference);
        Assert.Null(reading.OrderId);
        Assert.Equal(ClaimedOutcome.Cancelled, reading.Evidence!.Claim);
    }

    [Fact]
    public void A_v2_notification_with_the_order_object_is_accepted()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook(TwistoTestKit.OrderJson("accepted")));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal(TwistoTestKit.V2OrderId, reading.ProviderReference);
        Assert.Equal(TwistoTestKit.OrderId, reading.OrderId);
        Assert.Equal(ClaimedOutcome.Paid, reading.Evidence!.Claim);
    }

    [Fact]
    public void A_v2_notification_with_order_id_and_status_is_accepted()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook($$"""{"order_id":"{{TwistoTestKit.V2OrderId}}","status":"rejected"}"""));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal(TwistoTestKit.V2OrderId, reading.ProviderReference);
        Assert.Equal(ClaimedOutcome.Failed, reading.Evidence!.Claim);
    }

    [Fact]
    public void A_form_encoded_webhook_is_read_too()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook($"checkout_id={TwistoTestKit.CheckoutId}&state=completed"));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal(TwistoTestKit.CheckoutId, reading.ProviderReference);
    }

    [Fact]
    public void A_webhook_naming_only_our_order_is_accepted()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook($$"""{"external_id":"{{TwistoTestKit.OrderId}}","state":"completed"}"""));

        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Null(reading.ProviderReference);
        Assert.Equal(TwistoTestKit.OrderId, reading.OrderId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"checkout_id\"")]
    [InlineData("{}")]
    [InlineData("""{"state":"completed"}""")]
    [InlineData("""{"checkout_id":{"nested":1}}""")]
    [InlineData("""{"checkout_id":"a/b","external_id":"ord_x"}""")]
    [InlineData("{\"checkout_id\":")]
    public void Garbage_and_missing_fields_are_malformed(string body) =>
        Assert.Equal(WebhookVerdict.Malformed, Provider.ReadWebhook(TwistoTestKit.Webhook(body)).Verdict);

    [Fact]
    public void Only_posts_are_webhooks()
    {
        var reading = Provider.ReadWebhook(TwistoTestKit.Webhook($$"""{"checkout_id":"{{TwistoTestKit.CheckoutId}}"}""", "GET"));

        Assert.Equal(WebhookVerdict.Malformed, reading.Verdict);
    }

    [Fact]
    public void Binary_garbage_is_malformed() =>
        Assert.Equal(WebhookVerdict.Malformed, Provider.ReadWebhook(new WebhookRequest("POST", new Dictionary<string, string>(), new Dictionary<string, string>(), [0xff, 0xfe, 0x3d, 0x00])).Verdict);
}
