namespace Payments.Host.Webhooks;

/// <summary>What a webhook is acknowledged with (200): <c>status</c> is the order's status, or <c>accepted</c>, <c>deferred</c>, <c>ignored</c>, <c>unknown_order</c>.</summary>
public sealed record WebhookAck(string Status, string? OrderId = null);
