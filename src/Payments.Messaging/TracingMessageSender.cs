using System.Diagnostics;
using Payments.Core.Telemetry;

namespace Payments.Messaging;

/// <summary>
/// An <see cref="IMessageSender"/> that sends every message with the trace context of a producer span
/// (<see cref="PaymentsTelemetry.Spans.Send"/>, a child of the current span), so the handler that receives it continues
/// the same trace (<see cref="MessageTracing"/>). Registered over the real sender by the host's telemetry only: without
/// telemetry messages go out exactly as before.
/// </summary>
public sealed class TracingMessageSender(IMessageSender inner) : IMessageSender
{
    public IMessageSender Inner => inner;

    public async Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        using var activity = Start(entityPath, 1, message?.MessageId);
        try
        {
            await inner.SendAsync(entityPath, MessageTracing.WithTraceContext(message!, activity ?? Activity.Current), cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    public async Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        if (messages is null || messages.Count == 0)
        {
            await inner.SendBatchAsync(entityPath, messages!, cancellationToken);
            return;
        }

        using var activity = Start(entityPath, messages.Count, messages.Count == 1 ? messages[0]?.MessageId : null);
        try
        {
            await inner.SendBatchAsync(entityPath, MessageTracing.WithTraceContext(messages, activity ?? Activity.Current), cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private static Activity? Start(string entityPath, int count, string? messageId)
    {
        var activity = PaymentsTelemetry.Source.StartActivity(PaymentsTelemetry.Spans.Send, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"send {entityPath}";
            activity.SetTag(PaymentsTelemetry.Tags.MessagingSystem, "servicebus");
            activity.SetTag(PaymentsTelemetry.Tags.MessagingDestination, entityPath);
            activity.SetTag(PaymentsTelemetry.Tags.MessagingBatchCount, count);
            if (messageId is not null)
            {
                activity.SetTag(PaymentsTelemetry.Tags.MessagingMessageId, messageId);
            }
        }

        return activity;
    }
}
