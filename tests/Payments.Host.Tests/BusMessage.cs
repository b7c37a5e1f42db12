namespace Payments.Host.Tests;

/// <summary>One message as the namespace accepted it.</summary>
public sealed record BusMessage(string Entity, string MessageId, string Body, string? Subject, string? CorrelationId, DateTimeOffset? ScheduledEnqueueTime);
