using Microsoft.Extensions.Logging;
using Payments.Core.Events;

namespace Payments.Core.Orders;

/// <summary>Read, decide, write with the ETag, and tell the observer after the commit.</summary>
public sealed partial class PaymentService
{
    private const int MaxWriteAttempts = 12;

    /// <summary>
    /// Read, decide, write with the ETag; on a lost race read again and decide again. The decision returns
    /// null when there is nothing to write. Returns null when there is no such order.
    /// </summary>
    public Task<Order?> UpdateAsync(string orderId, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        UpdateAsync(orderId, known: null, decide, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(string, Func{Order, ValueTuple{Order, IReadOnlyList{PaymentEvent}}?}, CancellationToken)"/>, for a
    /// caller that has the order as it was read (or inserted) just now: the first decision is made on it and written with
    /// its ETag, without reading it again; a lost race (412) reads again and decides again.
    /// </summary>
    public async Task<Order> UpdateAsync(StoredOrder current, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        await UpdateAsync(current.Order.Id, current, decide, cancellationToken)
            ?? throw new InvalidOperationException($"Order {current.Order.Id} disappeared while being updated.");

    private async Task<Order?> UpdateAsync(string orderId, StoredOrder? known, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = attempt == 1 && known is not null ? known : await orders.GetAsync(orderId, cancellationToken);
            if (stored is null)
            {
                return null;
            }

            var decision = decide(stored.Order);
            if (decision is not { } change)
            {
                return stored.Order;
            }

            var written = await orders.TryReplaceAsync(stored, change.Updated, change.Events, cancellationToken);
            if (written is not null)
            {
                await NotifyAsync(stored.Order, written.Order, change.Events);
                return written.Order;
            }

            if (attempt >= MaxWriteAttempts)
            {
                throw new OrderContentionException(orderId, MaxWriteAttempts);
            }

            // Many writers on one order: back off a little, with jitter, so they stop colliding in step.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 10 + (20 * attempt))), cancellationToken);
        }
    }

    // The change is committed: nothing after this line may turn it into a failure for the caller. Not tied to the
    // caller's cancellation either (a client that hangs up must not stop the publish); the observer bounds itself.
    private async Task NotifyAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events)
    {
        if (observer is null)
        {
            return;
        }

        try
        {
            await observer.OnCommittedAsync(before, after, events, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Order {OrderId}: publishing after the commit failed; the sweeps will send it", after.Id);
        }
    }

    private async Task<Order> UpdateExistingAsync(string orderId, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        await UpdateAsync(orderId, decide, cancellationToken)
            ?? throw new InvalidOperationException($"Order {orderId} disappeared while being updated.");

    private Task<Order> UpdateExistingAsync(StoredOrder current, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        UpdateAsync(current, decide, cancellationToken);

    private static bool FactsChanged(Order a, Order b) =>
        a.ProviderReference != b.ProviderReference || a.ProviderStatus != b.ProviderStatus
        || a.ProviderData.Count != b.ProviderData.Count
        || a.ProviderData.Any(kv => !b.ProviderData.TryGetValue(kv.Key, out var v) || v != kv.Value);

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string>? b)
    {
        var merged = new Dictionary<string, string>(a, StringComparer.Ordinal);
        foreach (var (k, v) in b ?? new Dictionary<string, string>())
        {
            merged[k] = v;
        }

        return merged;
    }
}
