using System.Diagnostics;
using Payments.Core.Orders;
using Payments.Core.Telemetry;

namespace Payments.Messaging;

/// <summary>
/// W3C trace context across Service Bus, so that one payment is one trace: a message we send carries the sending span's
/// context in the application properties <c>Diagnostic-Id</c> (what Azure.Messaging.ServiceBus and the Functions host read
/// and write; the SDK sets it itself only while its experimental activity source is listened to, and never overwrites one
/// that is there) and <c>traceparent</c>/<c>tracestate</c> (W3C names, for anyone else); the trigger endpoints and the
/// in-process bus continue that trace with a <see cref="PaymentsTelemetry.Spans.Process"/> span.
/// </summary>
public static class MessageTracing
{
    public const string DiagnosticIdProperty = "Diagnostic-Id";
    public const string TraceParentProperty = "traceparent";
    public const string TraceStateProperty = "tracestate";

    /// <summary>
    /// The messages with the current span's context added (copies: a caller's property dictionary is never changed), or the
    /// same messages when there is no current span. A context already on a message (a retry re-sending it) is kept.
    /// </summary>
    public static IReadOnlyList<OutgoingMessage> WithTraceContext(IReadOnlyList<OutgoingMessage> messages, Activity? activity)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return messages;
        }

        var result = new OutgoingMessage[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            result[i] = WithTraceContext(messages[i], activity);
        }

        return result;
    }

    public static OutgoingMessage WithTraceContext(OutgoingMessage message, Activity? activity)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C
            || message.ApplicationProperties.ContainsKey(DiagnosticIdProperty) || message.ApplicationProperties.ContainsKey(TraceParentProperty))
        {
            return message;
        }

        var properties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal)
        {
            [DiagnosticIdProperty] = activity.Id!,
            [TraceParentProperty] = activity.Id!,
        };
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            properties[TraceStateProperty] = activity.TraceStateString;
        }

        return message with { ApplicationProperties = properties };
    }

    /// <summary>The sender's context from a received message, if it carries a valid one.</summary>
    public static bool TryGetParent(ReceivedMessage message, out ActivityContext parent)
    {
        var properties = message.ApplicationProperties;
        var id = properties.TryGetValue(TraceParentProperty, out var traceParent) ? traceParent
            : properties.TryGetValue(DiagnosticIdProperty, out var diagnosticId) ? diagnosticId : null;
        properties.TryGetValue(TraceStateProperty, out var traceState);
        parent = default;
        return id is not null && ActivityContext.TryParse(id, traceState, isRemote: true, out parent);
    }

    /// <summary>
    /// Starts the span for handling one delivery of <paramref name="message"/> to <paramref name="function"/>: a child of
    /// the sender's span (so it joins the payment's trace), linked to whatever span is current (the Functions host's
    /// invocation request). Null when nobody listens. Tagged with the order id when the message's CorrelationId is one.
    /// </summary>
    public static Activity? StartProcess(ReceivedMessage message, string function, string? entity = null)
    {
        var source = PaymentsTelemetry.Source;
        if (!source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        ActivityLink[]? links = null;
        ActivityContext parent = default;
        if (TryGetParent(message, out var remote))
        {
            parent = remote;
            if (current is not null && current.TraceId != remote.TraceId)
            {
                links = [new ActivityLink(current.Context)];
            }
        }
        else if (current is not null)
        {
            parent = current.Context;
        }

        var activity = source.StartActivity(PaymentsTelemetry.Spans.Process, ActivityKind.Consumer, parent, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"process {function}";
            activity.SetTag(PaymentsTelemetry.Tags.Function, function);
            activity.SetTag(PaymentsTelemetry.Tags.MessagingSystem, "servicebus");
            if (entity is not null)
            {
                activity.SetTag(PaymentsTelemetry.Tags.MessagingDestination, entity);
            }

            activity.SetTag(PaymentsTelemetry.Tags.MessagingMessageId, message.MessageId);
            activity.SetTag(PaymentsTelemetry.Tags.Attempt, message.DeliveryCount);
            if (message.CorrelationId is { } correlation && PaymentService.IsOrderId(correlation))
            {
                activity.SetTag(PaymentsTelemetry.Tags.OrderId, correlation);
            }
        }

        return activity;
    }

    /// <summary>Records what became of the delivery on its span.</summary>
    public static void Stop(Activity? activity, HandlerResult? result, Exception? exception = null)
    {
        if (activity is null)
        {
            return;
        }

        if (exception is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        }
        else if (result is { Succeeded: false })
        {
            activity.SetStatus(ActivityStatusCode.Error, "handler failed");
        }

        activity.Dispose();
    }
}
