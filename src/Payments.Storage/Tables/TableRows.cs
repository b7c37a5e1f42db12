using Azure.Data.Tables;

namespace Payments.Storage.Tables;

/// <summary>How the stores build rows and transactions for the SDK, keeping the columns the hand-written client wrote.</summary>
public static class TableRows
{
    /// <summary>The most actions Table Storage accepts in one transaction.</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>
    /// A row from its keys and columns, as the stores have always stored them: a null column is left out (Table Storage
    /// stores no nulls; a replace removes it), and a <see cref="DateTimeOffset"/> is written as UTC
    /// (<c>2025-07-01T10:34:56.1234567Z</c>, Edm.DateTime), so that rows compare and filter as before.
    /// </summary>
    public static TableEntity Create(string partitionKey, string rowKey, IEnumerable<KeyValuePair<string, object?>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        TableNames.ValidateKeys(partitionKey, rowKey);
        var entity = new TableEntity(partitionKey, rowKey);
        foreach (var (name, value) in columns)
        {
            switch (value)
            {
                case null:
                    break;
                case DateTimeOffset at:
                    entity[name] = at.UtcDateTime;
                    break;
                default:
                    entity[name] = value;
                    break;
            }
        }

        return entity;
    }

    /// <summary>
    /// Throws unless every action is on one partition and there are 1–100 of them. The real service refuses a
    /// transaction over two partitions; Azurite commits it, so only this check keeps a test run honest.
    /// </summary>
    public static void AssertOnePartition(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new ArgumentException($"A transaction has 1 to {MaxTransactionActions} actions; this one has {actions.Count}.", nameof(actions));
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        for (var i = 1; i < actions.Count; i++)
        {
            if (!string.Equals(actions[i].Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"All actions of a transaction must share one PartitionKey; action {i} has a different one (Azurite would accept it, Table Storage does not).",
                    nameof(actions));
            }
        }
    }
}
