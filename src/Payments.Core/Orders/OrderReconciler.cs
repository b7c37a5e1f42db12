using Microsoft.Extensions.Logging;
using Payments.Core.Providers;
using Payments.Core.Telemetry;

namespace Payments.Core.Orders;

/// <summary>What one reconciliation run did.</summary>
/// <param name="CreatesResolved">Orders whose create was cut off before their payment session was recorded, opened again or failed.</param>
public sealed record ReconciliationReport(int Checked, int Settled, int Expired, int Failed, int CreatesResolved = 0);

/// <summary>
/// The reconciliation timer (README: Events, webhooks and charges): asks the providers about orders still pending past their session, settles
/// those the provider has decided on (source <c>reconcile</c>), and expires those it never will. First it settles orders
/// whose create was cut off before their payment session was recorded, once past
/// <see cref="PaymentService.AbandonedClaimAge"/> (see <see cref="PaymentService.ResolveAbandonedCreateAsync(string, TransitionSource, CancellationToken)"/>),
/// so that no order stays in progress when the storefront never retries its create.
/// </summary>
public sealed class OrderReconciler(
    IOrderQueries queries,
    PaymentService payments,
    ReconciliationOptions options,
    TimeProvider clock,
    ILogger<OrderReconciler> logger)
{
    public async Task<ReconciliationReport> RunAsync(CancellationToken cancellationToken)
    {
        using var activity = PaymentsTelemetry.Source.StartActivity(PaymentsTelemetry.Spans.Reconcile);
        var report = await RunCoreAsync(cancellationToken);
        activity?.SetTag(PaymentsTelemetry.Tags.Count, report.Checked);
        activity?.SetTag("payments.reconcile.settled", report.Settled);
        activity?.SetTag("payments.reconcile.expired", report.Expired);
        activity?.SetTag("payments.reconcile.failed", report.Failed);
        return report;
    }

    /// <summary>Counts one order reconciliation looked at, by what became of it.</summary>
    private static void Count(string result) =>
        PaymentsTelemetry.Reconciliations.Add(1, new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Result, result));

    private async Task<ReconciliationReport> RunCoreAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        int settled = 0, expired = 0, failed = 0, resolved = 0;
        var stuck = await queries.FindAwaitingProviderSessionAsync(now - PaymentService.AbandonedClaimAge, options.MaxOrdersPerRun, cancellationToken);
        foreach (var id in stuck)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var result = await payments.ResolveAbandonedCreateAsync(id, TransitionSource.Reconcile, cancellationToken);
                if (result is not null and not CreateOrderResult.InProgress)
                {
                    resolved++;
                    Count("create_resolved");
                    logger.LogInformation("Reconciled order {OrderId} whose create was cut off: {Result}", id, result.GetType().Name);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                Count("failed");
                logger.LogError(ex, "Settling the cut-off create of order {OrderId} failed", id);
            }
        }

        var ids = await queries.FindByStatusAsync(PaymentStatus.Pending, now - options.PendingAfter, options.MaxOrdersPerRun, cancellationToken);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Order? order;
            try
            {
                order = await payments.SettleAsync(id, evidence: null, TransitionSource.Reconcile, cancellationToken);
            }
            catch (ProviderException ex)
            {
                // The provider is unwell: ask again next run; never expire an order we could not ask about.
                failed++;
                Count("failed");
                logger.LogWarning("Reconciling order {OrderId}: {Provider} {Failure} {StatusCode}", id, ex.Provider, ex.Failure, ex.StatusCode);
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                Count("failed");
                logger.LogError(ex, "Reconciling order {OrderId} failed", id);
                continue;
            }

            if (order is null)
            {
                continue;
            }

            if (order.Status != PaymentStatus.Pending)
            {
                settled++;
                Count("settled");
                logger.LogInformation("Reconciled order {OrderId}: {Status}", id, order.Status);
                continue;
            }

            var sessionEnd = order.ExpiresAt ?? order.CreatedAt + options.DefaultSessionLifetime;
            if (now >= sessionEnd + options.ExpireAfter)
            {
                var after = await payments.ExpireAsync(id,
                    $"the provider had not decided {options.ExpireAfter} after the payment session ended", cancellationToken);
                if (after?.Status == PaymentStatus.Expired)
                {
                    expired++;
                    Count("expired");
                    logger.LogInformation("Reconciled order {OrderId}: expired (session ended {SessionEnd:O})", id, sessionEnd);
                    continue;
                }
            }

            Count("pending");
        }

        return new ReconciliationReport(ids.Count, settled, expired, failed, resolved);
    }
}
