using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Orders;
using Payments.Storage.Tables;

namespace Payments.Storage.Orders;

/// <summary>
/// Insert-only lookups in table <c>orderlookups</c> (configurable). Caller-supplied values are hashed into
/// the keys (SHA-256, lowercase hex), so any length or character is safe:
/// <list type="bullet">
/// <item>Idempotency: PartitionKey <c>idem_{sha256(key)}</c>, RowKey <c>idem</c>; Key, Fingerprint, OrderId, CreatedAt.</item>
/// <item>Provider reference: PartitionKey <c>ref_{provider}_{sha256(reference)}</c>, RowKey <c>ref</c>;
/// Provider, Reference, OrderId, CreatedAt.</item>
/// </list>
/// </summary>
public sealed class TableOrderLookups : IOrderLookups
{
    public const string IdempotencyRowKey = "idem";
    public const string ReferenceRowKey = "ref";

    private const int MaxAttempts = 3;

    private readonly EnsureTableOnce _table;
    private readonly TimeProvider _clock;

    public TableOrderLookups(TableServiceClient client, OrderStorageOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _table = new EnsureTableOnce(client.GetTableClient(options.LookupsTable));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The underlying table (tests, tools).</summary>
    public TableClient Table => _table.Table;

    public async Task<IdempotencyRecord?> TryClaimIdempotencyKeyAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.Key);
        var entity = TableRows.Create(IdempotencyPartitionKey(record.Key), IdempotencyRowKey, new Dictionary<string, object?>
        {
            ["Key"] = record.Key,
            ["Fingerprint"] = record.Fingerprint,
            ["OrderId"] = record.OrderId,
            ["CreatedAt"] = record.CreatedAt,
        });

        // Claimed and removed in between (clean-up): InsertOrReadAsync claims it again.
        if (await InsertOrReadAsync(entity, cancellationToken) is not { } existing)
        {
            return null;
        }

        var first = new IdempotencyRecord(
            existing.GetString("Key") ?? record.Key,
            existing.GetString("Fingerprint") ?? string.Empty,
            existing.GetString("OrderId") ?? string.Empty,
            existing.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue);

        // A retried insert whose first attempt landed meets its own row: same key, fingerprint and
        // (freshly generated) order id means this call is the one that claimed it.
        var ours = string.Equals(first.Fingerprint, record.Fingerprint, StringComparison.Ordinal)
            && string.Equals(first.OrderId, record.OrderId, StringComparison.Ordinal);
        return ours ? null : first;
    }

    public async Task<string?> LinkProviderReferenceAsync(string provider, string providerReference, string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerReference);
        TableNames.ValidateKey(orderId, "Order id", nameof(orderId));
        var entity = TableRows.Create(ReferencePartitionKey(provider, providerReference), ReferenceRowKey, new Dictionary<string, object?>
        {
            ["Provider"] = provider,
            ["Reference"] = providerReference,
            ["OrderId"] = orderId,
            ["CreatedAt"] = _clock.GetUtcNow(),
        });

        // Links are never removed: a row that conflicts and then is not there is storage misbehaving (InsertOrReadAsync
        // tries again, then throws). A retried insert whose first attempt landed meets its own row: that is this order's
        // link, not a conflict.
        if (await InsertOrReadAsync(entity, cancellationToken) is not { } existing)
        {
            return null;
        }

        var owner = existing.GetString("OrderId") ?? string.Empty;
        return string.Equals(owner, orderId, StringComparison.Ordinal) ? null : owner;
    }

    public async Task<string?> FindOrderIdAsync(string provider, string providerReference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerReference);
        var partitionKey = ReferencePartitionKey(provider, providerReference);
        await _table.EnsureAsync(cancellationToken);
        var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, ReferenceRowKey, select: ["OrderId"], cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("OrderId") : null;
    }

    /// <summary>
    /// Inserts <paramref name="entity"/>; null when this call inserted it, else the row that was there. A conflict whose
    /// row is gone by the time it is read is tried again (<see cref="MaxAttempts"/> in all), then its conflict is thrown.
    /// </summary>
    private async Task<TableEntity?> InsertOrReadAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        await _table.EnsureAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _table.Table.AddEntityAsync(entity, cancellationToken);
                return null;
            }
            catch (RequestFailedException ex) when (ex.IsConflict())
            {
                var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken);
                if (row.HasValue)
                {
                    return row.Value;
                }

                if (attempt >= MaxAttempts)
                {
                    throw;
                }
            }
        }
    }

    public static string IdempotencyPartitionKey(string key) => "idem_" + Sha256Hex(key);

    public static string ReferencePartitionKey(string provider, string providerReference)
    {
        var partitionKey = $"ref_{provider}_{Sha256Hex(providerReference)}";
        TableNames.ValidateKey(partitionKey, "Provider", nameof(provider));
        return partitionKey;
    }

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
