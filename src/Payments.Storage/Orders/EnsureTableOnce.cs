using Azure.Data.Tables;

namespace Payments.Storage.Orders;

/// <summary>Creates a table on first use, once per process; a failed attempt is tried again by the next caller.</summary>
internal sealed class EnsureTableOnce(TableClient table)
{
    private readonly Lock _lock = new();
    private Task? _creation;

    public TableClient Table => table;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        var creation = _creation;
        if (creation is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                // Not tied to one caller's token: a cancelled request must not fail the others waiting on it.
                _creation = table.CreateIfNotExistsAsync(CancellationToken.None);
            }

            creation = _creation;
        }

        return creation.WaitAsync(cancellationToken);
    }
}
