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
        var partitionKey = IdempotencyPartitionKey(record.Key);
        var entity = TableRows.Create(partitionKey, IdempotencyRowKey, new Dictionary<string, object?>
        {
            ["Key"] = record.Key,
            ["Fingerprint"] = record.Fingerprint,
            ["OrderId"] = record.OrderId,
            ["CreatedAt"] = record.CreatedAt,
        });

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
                var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, IdempotencyRowKey, cancellationToken: cancellationToken);
                var existing = row.HasValue ? row.Value : null;
                if (existing is null)
                {
                    // Claimed and removed in between (clean-up): try to claim it again.
                    if (attempt < MaxAttempts)
                    {
                        continue;
                    }

                    throw;
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
        }
    }

    public async Task<string?> LinkProviderReferenceAsync(string provider, string providerReference, string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerReference);
        TableNames.ValidateKey(orderId, "Order id", nameof(orderId));
        var partitionKey = ReferencePartitionKey(provider, providerReference);
        var entity = TableRows.Create(partitionKey, ReferenceRowKey, new Dictionary<string, object?>
        {
            ["Provider"] = provider,
            ["Reference"] = providerReference,
            ["OrderId"] = orderId,
            ["CreatedAt"] = _clock.GetUtcNow(),
        });

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
                var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, ReferenceRowKey, cancellationToken: cancellationToken);
                var existing = row.HasValue ? row.Value : null;
                if (existing is null)
                {
                    // Links are never removed; a row that conflicts and then is not there is storage misbehaving.
                    if (attempt < MaxAttempts)
                    {
                        continue;
                    }

                    throw;
                }

                // A retried insert whose first attempt landed meets its own row: that is this order's link, not a conflict.
                var owner = existing.GetString("OrderId") ?? string.Empty;
                return string.Equals(owner, orderId, StringComparison.Ordinal) ? null : owner;
            }
        }
    }

    public async Task<string?> FindOrderIdAsync(string provider, string providerReference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerReference);
        var partitionKey = ReferencePartitionKey(provider, providerReference);
        await _table.EnsureAsync(cancellationToken);
        var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, ReferenceRowKey, select: ["OrderId"], cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("OrderId") : null;
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
