using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Core.Charges;

/// <summary>
/// Follow-up charges (README: Events, webhooks and charges): accepted through the API onto the order, run from the <c>payment-charges</c> queue,
/// settled onto the order with a <c>charge.*</c> event in the same write.
/// </summary>
/// <remarks>
/// The queue delivers at least once, and NEXT takes no idempotency key, so a charge is marked
/// <see cref="ChargeStatus.Processing"/> (under the order's ETag) before the provider is called. A later delivery
/// that finds it processing knows an earlier one died mid-call and, for a provider whose charges are not idempotent,
/// marks it <see cref="ChargeStatus.Unknown"/> instead of calling again: a message delivered any number of times
/// calls the provider at most once.
/// </remarks>
public sealed class ChargeService(
    ProviderCatalog providers,
    IOrderStore orders,
    IOrderQueries queries,
    PaymentService payments,
    IChargeQueue queue,
    TimeProvider clock,
    ILogger<ChargeService> logger)
{
    /// <summary>Orders the sweep looks at per run.</summary>
    public const int MaxOrdersPerSweep = 100;

    /// <summary>
    /// Validates the charge against its order and provider and writes it as queued; the commit hook then sends its
    /// message (scheduled for <see cref="ChargeRequest.RunAt"/>). Every refusal is decided before anything is written.
    /// With <paramref name="idempotencyKey"/>, the same request again returns the same charge.
    /// </summary>
    public async Task<ChargeRequestResult> RequestAsync(string orderId, ChargeRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var capability = request.Kind == ChargeKind.Upsell ? ProviderCapabilities.Upsell : ProviderCapabilities.Recurring;
        var chargeId = idempotencyKey is null ? ChargeRules.NewChargeId(now) : ChargeRules.ChargeIdFor(orderId, request.Kind, idempotencyKey);

        var fingerprint = Fingerprint(request);
        ChargeRequestResult? result = null;
        var written = await payments.UpdateAsync(orderId, order =>
        {
            result = null;
            if (order.Charges.FirstOrDefault(c => c.ChargeId == chargeId) is { } existing)
            {
                result = existing.Fingerprint == fingerprint
                    ? new ChargeRequestResult.Accepted(order, existing, Replayed: true)
                    : new ChargeRequestResult.KeyReused(chargeId);
                return null;
            }

            if (Operations(order, capability) is not { } ops)
            {
                result = new ChargeRequestResult.NotSupported(order.Provider, capability);
                return null;
            }

            var (draft, issues) = OrderRequestValidator.ValidateCharge(request.Kind, request.Amount, request.Items, request.RunAt, order.Amount.Currency, now);
            if (draft is null)
            {
                result = new ChargeRequestResult.Invalid(issues);
                return null;
            }

            if (!ChargeRules.IsChargeable(order.Status))
            {
                result = new ChargeRequestResult.InvalidState(order,
                    $"only a succeeded order can be charged again; it is {order.Status.ToWire()}");
                return null;
            }

            var providerIssues = ops.ValidateCharge(order, draft).ToList();
            if (order.Charges.Count >= ChargeRules.MaxChargesPerOrder)
            {
                providerIssues.Add(new ValidationIssue("order", $"has {ChargeRules.MaxChargesPerOrder} charges, the most one order keeps", IssueKind.Unprocessable));
            }

            if (providerIssues.Count > 0)
            {
                result = new ChargeRequestResult.Invalid(providerIssues);
                return null;
            }

            var charge = new ChargeRecord(chargeId, draft.Kind, draft.AmountMinor, draft.Items, ChargeStatus.Queued, now, now,
                RunAt: draft.RunAt, Fingerprint: fingerprint);
            result = new ChargeRequestResult.Accepted(order, charge, Replayed: false);
            return (order with { Charges = [.. order.Charges, charge], UpdatedAt = now }, []);
        }, cancellationToken);

        if (written is null)
        {
            return new ChargeRequestResult.NotFound();
        }

        switch (result)
        {
            case ChargeRequestResult.Accepted { Replayed: false } accepted:
                logger.LogInformation("Order {OrderId}: {Kind} charge {ChargeId} of {Amount} queued{RunAt}", orderId, accepted.Charge.Kind,
                    accepted.Charge.ChargeId, accepted.Charge.AmountMinor, accepted.Charge.RunAt is { } at ? " for " + at.ToString("O", CultureInfo.InvariantCulture) : string.Empty);
                return accepted with { Order = written, Charge = written.Charges.Single(c => c.ChargeId == chargeId) };
            case ChargeRequestResult.Accepted { Replayed: true } replayed:
                if (replayed.Charge.Status == ChargeStatus.Queued)
                {
                    // The first request may have written the charge and then failed to send it: send again (a repeat is dropped).
                    await TryEnqueueAsync(orderId, replayed.Charge, cancellationToken);
                }

                return replayed;
            default:
                return result ?? throw new InvalidOperationException("The charge request was neither accepted nor refused.");
        }
    }

    /// <summary>
    /// Runs one delivery of a charge message. Safe to call any number of times for the same charge, concurrently too:
    /// the provider is called at most once unless its charges are idempotent.
    /// </summary>
    public async Task<ChargeRunResult> RunAsync(string orderId, string chargeId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        ChargeRecord? claimed = null, seen = null;
        var order = await payments.UpdateAsync(orderId, current =>
        {
            claimed = null;
            seen = current.Charges.FirstOrDefault(c => c.ChargeId == chargeId);
            if (seen is null || seen.IsSettled)
            {
                return null;
            }

            var ops = Operations(current, seen.Kind == ChargeKind.Upsell ? ProviderCapabilities.Upsell : ProviderCapabilities.Recurring);
            if (seen.Status == ChargeStatus.Processing && ops is not { ChargesAreIdempotent: true })
            {
                return Settle(current, seen, ChargeStatus.Unknown, null, null,
                    "an earlier delivery stopped during the provider call, so the outcome is unknown; check at the provider before charging again", now);
            }

            string? refusal = ops is null ? $"provider '{current.Provider}' cannot do {seen.Kind.ToString().ToLowerInvariant()} charges"
                : !ChargeRules.IsChargeable(current.Status) ? $"the order is {current.Status.ToWire()}, not chargeable"
                : null;
            if (refusal is not null)
            {
                return Settle(current, seen, ChargeStatus.Failed, null, null, refusal, now);
            }

            claimed = seen with { Status = ChargeStatus.Processing, UpdatedAt = now };
            return (Replace(current, claimed, now), []);
        }, cancellationToken);

        if (order is null || seen is null)
        {
            return new ChargeRunResult.Unknown(order is null ? $"order {orderId} does not exist" : $"order {orderId} has no charge {chargeId}");
        }

        if (claimed is null)
        {
            var settled = order.Charges.Single(c => c.ChargeId == chargeId);
            logger.LogInformation("Charge {ChargeId} of order {OrderId} is {Status}; nothing to do", chargeId, orderId, settled.Status);
            return new ChargeRunResult.Done(settled);
        }

        var operations = Operations(order, claimed.Kind == ChargeKind.Upsell ? ProviderCapabilities.Upsell : ProviderCapabilities.Recurring)!;
        ProviderChargeResult outcome;
        try
        {
            outcome = claimed.Kind == ChargeKind.Upsell
                ? await operations.ChargeUpsellAsync(order, claimed, cancellationToken)
                : await operations.ChargeRecurringAsync(order, claimed, cancellationToken);
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("Charge {ChargeId} of order {OrderId} at {Provider}: {Failure} {StatusCode} (not sent: {NotSent})",
                chargeId, orderId, order.Provider, ex.Failure, ex.StatusCode, ex.NotSent);
            if (ex.Failure is ProviderFailure.Rejected or ProviderFailure.NotFound)
            {
                outcome = new ProviderChargeResult(ChargeOutcome.Failed, null, null, ex.Message);
            }
            else if (ex.NotSent || operations.ChargesAreIdempotent)
            {
                await RequeueAsync(orderId, chargeId, cancellationToken);
                return new ChargeRunResult.Retry(ex.Message);
            }
            else
            {
                outcome = new ProviderChargeResult(ChargeOutcome.Undecided, null, null,
                    $"{ex.Message} The provider may have charged; check before charging again.");
            }
        }

        var status = outcome.Outcome switch
        {
            ChargeOutcome.Succeeded => ChargeStatus.Succeeded,
            ChargeOutcome.Failed => ChargeStatus.Failed,
            _ => ChargeStatus.Unknown,
        };
        var recorded = await payments.UpdateAsync(orderId, current =>
        {
            var charge = current.Charges.FirstOrDefault(c => c.ChargeId == chargeId);

            // Unknown: a concurrent duplicate delivery gave up on it meanwhile; this call has the real answer.
            return charge is { Status: ChargeStatus.Processing or ChargeStatus.Unknown }
                ? Settle(current, charge, status, outcome.ProviderReference, outcome.ProviderStatus, outcome.Reason, clock.GetUtcNow())
                : null;
        }, cancellationToken);

        var final = recorded!.Charges.Single(c => c.ChargeId == chargeId);
        logger.LogInformation("Charge {ChargeId} of order {OrderId}: {Status} {ProviderReference}", chargeId, orderId, final.Status, final.ProviderReference);
        return new ChargeRunResult.Done(final);
    }

    /// <summary>
    /// The charge sweep: sends again the messages of queued charges that should have run by now (the send after the
    /// write failed, or the message was dead-lettered), and settles charges left processing by a delivery that died
    /// (unknown; or queued again where the provider's charges are idempotent). Returns how many charges it touched.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var touched = 0;
        foreach (var orderId in await queries.FindChargesDueAsync(now, MaxOrdersPerSweep, cancellationToken))
        {
            var stored = await orders.GetAsync(orderId, cancellationToken);
            if (stored is null)
            {
                continue;
            }

            foreach (var charge in stored.Order.Charges.Where(c => c.Status == ChargeStatus.Processing && c.UpdatedAt + ChargeRules.ProcessingLease <= now))
            {
                var ops = Operations(stored.Order, charge.Kind == ChargeKind.Upsell ? ProviderCapabilities.Upsell : ProviderCapabilities.Recurring);
                var after = await payments.UpdateAsync(orderId, current =>
                    current.Charges.FirstOrDefault(c => c.ChargeId == charge.ChargeId) is { Status: ChargeStatus.Processing } processing
                        ? ops is { ChargesAreIdempotent: true }
                            ? (Replace(current, processing with { Status = ChargeStatus.Queued, UpdatedAt = now }, now), [])
                            : Settle(current, processing, ChargeStatus.Unknown, null, null,
                                "a delivery stopped during the provider call and never came back, so the outcome is unknown; check at the provider", now)
                        : null,
                    cancellationToken);
                touched++;
                if (after?.Charges.FirstOrDefault(c => c.ChargeId == charge.ChargeId) is { Status: ChargeStatus.Queued } requeued)
                {
                    await TryEnqueueAsync(orderId, requeued, cancellationToken);
                }
            }

            foreach (var charge in stored.Order.Charges.Where(c => c.Status == ChargeStatus.Queued && c.DueAt + ChargeRules.ResendAfter <= now))
            {
                logger.LogWarning("Charge {ChargeId} of order {OrderId} is still queued {Late} after it was due; sending its message again",
                    charge.ChargeId, orderId, now - charge.DueAt);
                await TryEnqueueAsync(orderId, charge, cancellationToken);
                touched++;
            }
        }

        return touched;
    }

    private async Task RequeueAsync(string orderId, string chargeId, CancellationToken cancellationToken) =>
        await payments.UpdateAsync(orderId, current =>
            current.Charges.FirstOrDefault(c => c.ChargeId == chargeId) is { Status: ChargeStatus.Processing } charge
                ? (Replace(current, charge with { Status = ChargeStatus.Queued, UpdatedAt = clock.GetUtcNow() }, clock.GetUtcNow()), [])
                : null,
            cancellationToken);

    private async Task TryEnqueueAsync(string orderId, ChargeRecord charge, CancellationToken cancellationToken)
    {
        try
        {
            await queue.EnqueueAsync(orderId, charge, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Charge {ChargeId} of order {OrderId}: its message could not be sent; the charge sweep sends it later", charge.ChargeId, orderId);
        }
    }

    /// <summary>The order with the charge settled, its event, and (for a paid renewal) the next renewal queued.</summary>
    private static (Order, IReadOnlyList<PaymentEvent>) Settle(Order order, ChargeRecord charge, ChargeStatus status, string? providerReference,
        string? providerStatus, string? reason, DateTimeOffset now)
    {
        var settled = charge with
        {
            Status = status,
            UpdatedAt = now,
            ProviderReference = providerReference ?? charge.ProviderReference,
            ProviderStatus = providerStatus ?? charge.ProviderStatus,
            FailureReason = status == ChargeStatus.Succeeded ? null : reason,
        };
        var updated = Replace(order, settled, now);
        if (status == ChargeStatus.Succeeded && settled.Cycle is { } cycle)
        {
            updated = ChargeRules.WithRenewalQueued(updated, cycle + 1, now);
        }

        return (updated, [PaymentEvent.ForCharge(updated, settled, now)]);
    }

    private static Order Replace(Order order, ChargeRecord charge, DateTimeOffset now) =>
        order with { Charges = [.. order.Charges.Select(c => c.ChargeId == charge.ChargeId ? charge : c)], UpdatedAt = now };

    /// <summary>Of the request as sent (not as validated: a replay of a scheduled charge must match after its runAt has passed).</summary>
    private static string Fingerprint(ChargeRequest request)
    {
        static string Field(string? value) => value is null ? "\u0000" : value.Replace("\u001f", " ", StringComparison.Ordinal);

        var canonical = new StringBuilder()
            .Append(request.Kind).Append('\n').Append(Field(request.Amount)).Append('\n')
            .Append(request.RunAt?.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var item in request.Items ?? [])
        {
            canonical.Append(Field(item?.Name)).Append('\u001f').Append(Field(item?.Sku)).Append('\u001f')
                .Append(item?.Quantity?.ToString(CultureInfo.InvariantCulture)).Append('\u001f').Append(Field(item?.UnitPrice)).Append('\u001f')
                .Append(Field(item?.VatRate)).Append('\u001f').Append(Field(item?.Type)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    private IChargeOperations? Operations(Order order, ProviderCapabilities capability) => providers.Capable<IChargeOperations>(order.Provider, capability);
}
