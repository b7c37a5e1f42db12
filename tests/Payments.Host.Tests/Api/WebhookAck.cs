namespace Payments.Host.Tests;

/// <summary>What <c>/api/webhooks/{provider}</c> answers a notification with: what became of it (settled, ignored, unknown_order, …).</summary>
public sealed record WebhookAck(string Status, string? OrderId);
