using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Validation;
using Payments.Storage.Orders;
using Payments.Storage.Tables;

namespace Payments.Storage.Webhooks;

/// <summary>The state of one (event, endpoint) delivery in <see cref="TableWebhookDeliveries"/>.</summary>
public enum WebhookDeliveryState
{
    /// <summary>An attempt claimed it and is delivering (or died doing so: see the lease).</summary>
    Delivering,

    /// <summary>An attempt failed; a later one is scheduled and may claim it.</summary>
    Retrying,

    /// <summary>The endpoint answered 2xx. Final.</summary>
    Delivered,

    /// <summary>Failed for good (a permanent answer, or the last try). Final.</summary>
    Failed,
}

/// <summary>What <see cref="TableWebhookDeliveries.TryClaimAsync"/> found.</summary>
public enum DeliveryClaimResult
{
    Claimed,
    Delivered,
    InProgress,
    Failed,
}

/// <summary>One row of the delivery log.</summary>
public sealed record WebhookDeliveryRow(
    string EventId,
    string Endpoint,
    WebhookDeliveryState State,
    int Attempt,
    DateTimeOffset UpdatedAt,
    int? StatusCode,
    string? Outcome,
    string? Error);

/// <summary>
/// The durable webhook delivery log, table <c>webhookdeliveries</c> (configurable): PartitionKey = event id, RowKey =
/// the endpoint's name (hashed when it is not a valid key), one row per pair with <c>State</c>
/// (delivering, retrying, delivered, failed), <c>Attempt</c>, <c>ClaimedAt</c>, <c>ClaimToken</c>, <c>StatusCode</c>,
/// <c>Outcome</c>, <c>Error</c>, <c>UpdatedAt</c>. Claims are an insert (409 = someone has the row) or an ETag-guarded
/// take-over of a released or stale claim, so two concurrent attempts never both deliver.
/// </summary>
/// <remarks>Failed deliveries are found with a filtered scan (<see cref="GetFailuresAsync"/>), like the outbox sweep.</remarks>
public sealed class TableWebhookDeliveries
{
    private const int MaxAttempts = 3;

    private readonly EnsureTableOnce _table;
    private readonly TimeProvider _clock;

    public TableWebhookDeliveries(TableServiceClient client, OrderStorageOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _table = new EnsureTableOnce(client.GetTableClient(options.WebhookDeliveriesTable));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The underlying table (tests, tools).</summary>
    public TableClient Table => _table.Table;

    /// <summary>
    /// Claims the pair for one attempt: Claimed when nobody delivered it and nobody holds a claim younger than
    /// <paramref name="lease"/>. Safe against the table client's own retries (the claim token recognises our first
    /// attempt's row).
    /// </summary>
    public async Task<DeliveryClaimResult> TryClaimAsync(string eventId, string endpoint, int attempt, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var token = Guid.NewGuid().ToString("N");
        var claim = TableRows.Create(eventId, RowKey(endpoint), new Dictionary<string, object?>
        {
            ["EventId"] = eventId,
            ["Endpoint"] = endpoint,
            ["State"] = nameof(WebhookDeliveryState.Delivering),
            ["Attempt"] = attempt,
            ["ClaimedAt"] = now,
            ["ClaimToken"] = token,
            ["UpdatedAt"] = now,
        });
        await _table.EnsureAsync(cancellationToken);
        for (var i = 1; ; i++)
        {
            try
            {
                await _table.Table.AddEntityAsync(claim, cancellationToken);
                return DeliveryClaimResult.Claimed;
            }
            catch (RequestFailedException ex) when (ex.IsConflict())
            {
                // Someone else's claim, or (after a retried insert) our own first attempt: the claim token tells.
                var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(claim.PartitionKey, claim.RowKey, cancellationToken: cancellationToken);
                var existing = row.HasValue ? row.Value : null;
                if (existing is null)
                {
                    if (i < MaxAttempts)
                    {
                        continue;
                    }

                    throw;
                }

                if (existing.GetString("ClaimToken") == token)
                {
                    return DeliveryClaimResult.Claimed;
                }

                var state = ParseState(existing.GetString("State"));
                switch (state)
                {
                    case WebhookDeliveryState.Delivered:
                        return DeliveryClaimResult.Delivered;
                    case WebhookDeliveryState.Failed:
                        return DeliveryClaimResult.Failed;
                    case WebhookDeliveryState.Delivering when existing.GetDateTimeOffset("ClaimedAt") is { } claimedAt && claimedAt + lease > now:
                        return DeliveryClaimResult.InProgress;
                }

                try
                {
                    await _table.Table.UpdateEntityAsync(claim, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                    return DeliveryClaimResult.Claimed;
                }
                catch (RequestFailedException taken) when (taken.IsPreconditionFailed())
                {
                    // Someone else took it over in between (or our own retried update landed: the token tells on the next read).
                    var again = await _table.Table.GetEntityIfExistsAsync<TableEntity>(claim.PartitionKey, claim.RowKey, cancellationToken: cancellationToken);
                    return again.HasValue && again.Value!.GetString("ClaimToken") == token ? DeliveryClaimResult.Claimed : DeliveryClaimResult.InProgress;
                }
            }
        }
    }

    public Task MarkDeliveredAsync(string eventId, string endpoint, int attempt, int statusCode, CancellationToken cancellationToken) =>
        SetAsync(eventId, endpoint, WebhookDeliveryState.Delivered, attempt, statusCode, "delivered", null, cancellationToken);

    public Task ReleaseAsync(string eventId, string endpoint, int attempt, string? error, CancellationToken cancellationToken) =>
        SetAsync(eventId, endpoint, WebhookDeliveryState.Retrying, attempt, null, "retrying", error, cancellationToken);

    public Task RecordFailureAsync(string eventId, string endpoint, int attempts, string outcome, int? statusCode, string? error,
        CancellationToken cancellationToken) =>
        SetAsync(eventId, endpoint, WebhookDeliveryState.Failed, attempts, statusCode, outcome, error, cancellationToken);

    public async Task<WebhookDeliveryRow?> GetAsync(string eventId, string endpoint, CancellationToken cancellationToken)
    {
        await _table.EnsureAsync(cancellationToken);
        var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(eventId, RowKey(endpoint), cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    /// <summary>Deliveries that failed for good, up to <paramref name="maxCount"/> (for support and manual replay).</summary>
    public async Task<IReadOnlyList<WebhookDeliveryRow>> GetFailuresAsync(int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await _table.EnsureAsync(cancellationToken);
        var rows = new List<WebhookDeliveryRow>();
        var filter = TableClient.CreateQueryFilter($"State eq {nameof(WebhookDeliveryState.Failed)}");
        await foreach (var entity in _table.Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(maxCount, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(Read(entity));
            if (rows.Count >= maxCount)
            {
                break;
            }
        }

        return rows;
    }

    /// <summary>The endpoint's name when it is a valid RowKey, else "h_" + its SHA-256.</summary>
    public static string RowKey(string endpoint) =>
        KeyRules.Check(endpoint, 255) is null ? endpoint : "h_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint)));

    private async Task SetAsync(string eventId, string endpoint, WebhookDeliveryState state, int attempt, int? statusCode, string? outcome,
        string? error, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var entity = TableRows.Create(eventId, RowKey(endpoint), new Dictionary<string, object?>
        {
            ["EventId"] = eventId,
            ["Endpoint"] = endpoint,
            ["State"] = state.ToString(),
            ["Attempt"] = attempt,
            ["StatusCode"] = statusCode,
            ["Outcome"] = outcome,
            ["Error"] = error is { Length: > 1000 } ? error[..1000] : error,
            ["UpdatedAt"] = now,
        });
        await _table.EnsureAsync(cancellationToken);
        // Replace, not merge: an earlier attempt's error or status must not linger on a delivered row.
        await _table.Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    private static WebhookDeliveryRow Read(TableEntity entity) => new(
        entity.GetString("EventId") ?? entity.PartitionKey,
        entity.GetString("Endpoint") ?? entity.RowKey,
        ParseState(entity.GetString("State")),
        entity.GetInt32("Attempt") ?? 0,
        entity.GetDateTimeOffset("UpdatedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue,
        entity.GetInt32("StatusCode"),
        entity.GetString("Outcome"),
        entity.GetString("Error"));

    private static WebhookDeliveryState ParseState(string? text) =>
        Enum.TryParse<WebhookDeliveryState>(text, ignoreCase: false, out var state) ? state : WebhookDeliveryState.Retrying;
}
