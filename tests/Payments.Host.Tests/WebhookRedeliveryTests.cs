using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Host.Tests;

/// <summary>
/// What a webhook gets when the provider cannot confirm it right now: a 503 where the provider sends it again,
/// a 200 where it does not (the order stays as it was, for reconciliation).
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class WebhookRedeliveryTests(AzuriteFixture azurite)
{
    /// <summary>A provider whose API is down for confirmations.</summary>
    private sealed class DownProvider(bool redelivers) : IPaymentProvider, IWebhookReceiver
    {
        public string Name => "down";
        public ProviderCapabilities Capabilities => ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Webhook;
        public bool RedeliversOnFailure => redelivers;
        public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => [];

        public Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderSession("pay-" + request.Order.MerchantReference, "https://pay.example/x", null, new Dictionary<string, string>()));

        public ReturnEvidence ReadReturn(ReturnRequest request) => new(null, ClaimedOutcome.Unknown);

        public WebhookReading ReadWebhook(WebhookRequest request) =>
            new(WebhookVerdict.Accepted, "evt-1", request.Query.GetValueOrDefault("ref"), null, null);

        public Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken) =>
            throw new ProviderException(Name, ProviderFailure.Unavailable, "down answered 503", 503);
    }

    [Theory]
    [InlineData(true, HttpStatusCode.ServiceUnavailable)]
    [InlineData(false, HttpStatusCode.OK)]
    public async Task An_unconfirmable_webhook_is_503_only_where_the_provider_sends_it_again(bool redelivers, HttpStatusCode expected)
    {
        await using var app = await TestApp.StartAsync(azurite, services: s => s.AddSingleton<IPaymentProvider>(new DownProvider(redelivers)));
        var body = OrderBodies.Next("SO-DOWN");
        body["provider"] = "down";
        body["currency"] = "CHF";
        var orderId = (await app.Api.CreateOrderAsync(body)).OrderId;

        var response = await app.Client.PostAsync("/api/webhooks/down?ref=pay-SO-DOWN", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);
    }
}
