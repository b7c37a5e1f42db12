using System.Text.Json.Nodes;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Twisto;

/// <summary>
/// The v2 (orders) flow through the sandbox: approve, decline, pending, and cancel.
/// </summary>
public sealed partial class TwistoSandboxRoundTripTests
{
    [Fact]
    public async Task V2_approve_sends_checking_then_accepted_and_returns_the_shopper_to_return_url_unchanged()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, "v2", baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        Assert.StartsWith($"{sandbox.BaseUrl}/gateway/v2/", session.RedirectUrl, StringComparison.Ordinal);

        using var browser = Browser();
        var page = await browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("1249.90", page, StringComparison.Ordinal);
        var back = await DecideV2Async(browser, session.RedirectUrl, "approve");
        Assert.Equal(TwistoTestKit.ReturnUrl.AbsoluteUri, back);

        Assert.Equal(["checking", "accepted"], sandbox.Hooks.Select(h => JsonNode.Parse(h)!["status"]!.GetValue<string>()));
        var reading = provider.ReadWebhook(TwistoTestKit.Webhook(sandbox.Hooks.Last()));
        Assert.Equal(session.ProviderReference, reading.ProviderReference);
        Assert.Equal(TwistoTestKit.OrderId, reading.OrderId);

        var evidence = provider.ReadReturn(TwistoTestKit.Return());
        Assert.Equal(PaymentStatus.Authorized, (await provider.ConfirmAsync(order, evidence, CancellationToken.None)).Status);

        var captured = await provider.CaptureAsync(order, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, captured.Status);
        Assert.Equal("activated", captured.ProviderStatus);

        var refund = await provider.RefundAsync(order, new RefundRequest("rf_v2", 24990, null, null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, refund.Outcome);

        // A lost answer (v2, no key): the order's refund_amount shows it went through; nothing is sent.
        var lost = new RefundRecord("rf_v2", 24990, null, RefundRecordOutcome.Requested, DateTimeOffset.UtcNow);
        Assert.Equal(RefundOutcome.Succeeded, (await provider.FindRefundAsync(order with { Refunds = [lost] }, lost, CancellationToken.None))?.Outcome);
        Assert.Equal(refund.ProviderRefundId, (await provider.RefundAsync(order, new RefundRequest("rf_v2", 24990, null, null), CancellationToken.None)).ProviderRefundId);
        var after = await provider.ConfirmAsync(order, null, CancellationToken.None);
        Assert.Equal("1000.00", after.ProviderData![TwistoProvider.CurrentAmountKey]);
        Assert.Equal("249.90", after.ProviderData[TwistoProvider.RefundAmountKey]);
        Assert.Equal(PaymentStatus.Succeeded, after.Status);

        var rest = await provider.RefundAsync(order, new RefundRequest("rf_v2b", 100000, null, null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, rest.Outcome);
        Assert.Equal(PaymentStatus.Refunded, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task V2_decline_is_failed_and_capture_on_approval_activates()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, "v2", baseUrl: sandbox.BaseUrl, tweak: s => s["Providers:Twisto:CaptureOnApproval"] = "true");
        var (provider, declined, declinedSession) = await OpenAsync(services);
        using var browser = Browser();
        await DecideV2Async(browser, declinedSession.RedirectUrl, "decline");
        var failed = await provider.ConfirmAsync(declined, null, CancellationToken.None);
        Assert.Equal(PaymentStatus.Failed, failed.Status);
        Assert.Equal("rejected", failed.ProviderStatus);

        var (_, approved, approvedSession) = await OpenAsync(services, "ord_cccccccccccccccccccccccccccccccc");
        await DecideV2Async(browser, approvedSession.RedirectUrl, "approve");
        var state = await provider.ConfirmAsync(approved, null, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("activated", state.ProviderStatus);
    }

    [Fact]
    public async Task V2_pending_is_checking_and_a_cancel_cancels()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, "v2", baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        using var browser = Browser();
        await DecideV2Async(browser, session.RedirectUrl, "pending");

        var pending = await provider.ConfirmAsync(order, new ReturnEvidence(null, ClaimedOutcome.Paid), CancellationToken.None);
        Assert.Null(pending.Status);
        Assert.Equal("checking", pending.ProviderStatus);

        Assert.Equal(PaymentStatus.Cancelled, (await provider.CancelAsync(order, CancellationToken.None)).Status);
    }
}
