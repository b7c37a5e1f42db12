using System.Diagnostics;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Core.Telemetry;

namespace Payments.Host.Telemetry;

/// <summary>
/// Around the app's <see cref="IOrderChangeObserver"/> (the commit publisher): every committed status change is a
/// <see cref="PaymentsTelemetry.Spans.Settle"/> span (any other commit, such as a create or a queued charge, a
/// <see cref="PaymentsTelemetry.Spans.Commit"/> span) (its parent is the request or message that caused it, so the
/// outbox publish and the charge enqueue under it are in the payment's trace) and counts in
/// <see cref="PaymentsTelemetry.OrdersSettled"/> by provider, new status and source.
/// </summary>
public sealed class TelemetryOrderObserver(IOrderChangeObserver inner) : IOrderChangeObserver
{
    public async Task OnCommittedAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        PaymentsTelemetry.TagCurrent(after.Id);
        var changed = before.Status != after.Status;
        var source = changed && after.History.Count > 0 ? PaymentsTelemetry.Snake(after.History[^1].Source) : null;
        using var activity = PaymentsTelemetry.Source.StartActivity(
            changed ? PaymentsTelemetry.Spans.Settle : PaymentsTelemetry.Spans.Commit, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(PaymentsTelemetry.Tags.OrderId, after.Id);
            activity.SetTag(PaymentsTelemetry.Tags.Provider, after.Provider);
            activity.SetTag(PaymentsTelemetry.Tags.Status, after.Status.ToWire());
            activity.SetTag(PaymentsTelemetry.Tags.PreviousStatus, before.Status.ToWire());
            activity.SetTag(PaymentsTelemetry.Tags.Count, events.Count);
            if (source is not null)
            {
                activity.SetTag(PaymentsTelemetry.Tags.Source, source);
            }
        }

        if (changed)
        {
            PaymentsTelemetry.OrdersSettled.Add(1,
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Provider, after.Provider),
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Status, after.Status.ToWire()),
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Source, source));
        }

        await inner.OnCommittedAsync(before, after, events, cancellationToken);
    }
}

/// <summary>Around <see cref="IOrderLookups"/>: counts provider references confirmed for one order but held by another.</summary>
public sealed class TelemetryOrderLookups(IOrderLookups inner) : IOrderLookups
{
    public Task<IdempotencyRecord?> TryClaimIdempotencyKeyAsync(IdempotencyRecord record, CancellationToken cancellationToken) =>
        inner.TryClaimIdempotencyKeyAsync(record, cancellationToken);

    public async Task<string?> LinkProviderReferenceAsync(string provider, string providerReference, string orderId, CancellationToken cancellationToken)
    {
        var holder = await inner.LinkProviderReferenceAsync(provider, providerReference, orderId, cancellationToken);
        if (holder is not null)
        {
            PaymentsTelemetry.ProviderReferenceConflicts.Add(1, new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Provider, provider));
            Activity.Current?.AddEvent(new ActivityEvent("payments.provider_reference.conflict", tags: new ActivityTagsCollection
            {
                [PaymentsTelemetry.Tags.Provider] = provider,
                [PaymentsTelemetry.Tags.OrderId] = orderId,
                ["payments.linked_order_id"] = holder,
            }));
        }

        return holder;
    }

    public Task<string?> FindOrderIdAsync(string provider, string providerReference, CancellationToken cancellationToken) =>
        inner.FindOrderIdAsync(provider, providerReference, cancellationToken);
}
