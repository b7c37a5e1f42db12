using Azure.Data.Tables;

namespace Payments.Testing;

/// <summary>Short reads for assertions on the rows the stores wrote.</summary>
public static class TableTestExtensions
{
    /// <summary>A point read; null when the row (or the table) does not exist.</summary>
    public static async Task<TableEntity?> GetRowAsync(this TableClient table, string partitionKey, string rowKey)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Every row matching <paramref name="filter"/> (build it with <see cref="TableClient.CreateQueryFilter(FormattableString)"/>).</summary>
    public static async Task<List<TableEntity>> RowsAsync(this TableClient table, string? filter = null)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }
}
