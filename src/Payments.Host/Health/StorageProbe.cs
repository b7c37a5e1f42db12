using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Payments.Storage.Orders;
using Payments.Storage.Tables;

namespace Payments.Host.Health;

/// <summary>
/// What <c>GET /api/health</c> asks storage: one point read of an order id that never exists, in the orders table,
/// through the app's one <see cref="TableServiceClient"/> (its retries, its outage observer, its round-trip count).
/// </summary>
/// <remarks>
/// It does not create the table first, unlike the order store (<see cref="TableOrderStore"/> creates its tables on first
/// use): a cold start answers its first health probe after one storage round trip instead of two, and without building
/// the create request. A table that does not exist yet answers the read with <c>404</c> just as a missing row does,
/// which proves the same: the account answers and the credentials work; the store still creates the table when it is
/// first used. Anything else that fails (no answer, 403, 5xx) is the caller's "unreachable".
/// </remarks>
public sealed class StorageProbe(TableServiceClient client, IOptions<OrderStorageOptions> options)
{
    /// <summary>A valid order id that no order ever has (ids are random).</summary>
    public const string AbsentOrderId = "ord_00000000000000000000000000000000";

    private readonly TableClient _orders = client.GetTableClient(options.Value.OrdersTable);

    /// <summary>Completes when storage answered as it should; throws what the client threw otherwise.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _orders.GetEntityIfExistsAsync<TableEntity>(AbsentOrderId, TableOrderStore.OrderRowKey, ["PartitionKey"], cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.IsNotFound())
        {
            // The table does not exist yet (TableNotFound): storage answered.
        }
    }
}
