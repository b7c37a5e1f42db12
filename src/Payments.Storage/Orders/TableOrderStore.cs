using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Charges;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Core.Refunds;
using Payments.Storage.Tables;

namespace Payments.Storage.Orders;

/// <summary>
/// Orders in Table Storage. Table <c>orders</c> (configurable), partition = order id:
/// <list type="bullet">
/// <item>RowKey <c>order</c>: scalar columns (Status as wire name, Provider, MerchantReference, AmountMinor,
/// Currency, ProviderReference, CreatedAt, UpdatedAt, and ChargesDueAt while a charge needs the sweep's attention) for
/// queries and support, plus the whole order as
/// JSON in <c>Doc0</c>, <c>Doc1</c>, … (at most 30 000 characters each; a string property holds 64 KiB)
/// and <c>DocParts</c>.</item>
/// <item>RowKey <c>event_{eventId}</c>: the outbox. Type, EventId, OccurredAt, the event JSON in
/// <c>Event</c>, <c>Pending</c> = true. Written once, with its change; what was published is recorded by
/// <see cref="TableOutbox"/> in rows of its own.</item>
/// </list>
/// A status change replaces the order row (<see cref="TableTransactionActionType.UpdateReplace"/>, If-Match = the ETag it
/// was read at) and inserts its events in one entity-group transaction (<see cref="TableClient.SubmitTransactionAsync"/>),
/// so an event exists exactly when its change was committed. Every filter is built by
/// <see cref="TableClient.CreateQueryFilter(FormattableString)"/>.
/// </summary>
/// <remarks>
/// The outbox row must share the order's partition to be in the same transaction; reading it for the publisher (what is
/// unsent, what was published) is <see cref="TableOutbox"/>'s. The partitions of the outbox's own rows (<c>~outbox</c>,
/// <c>~outbox_sent</c>) have no <c>order</c> row, so the order queries below never meet them.
/// </remarks>
public sealed class TableOrderStore : IOrderStore, IOrderQueries
{
    public const string OrderRowKey = "order";
    public const string EventRowKeyPrefix = "event_";

    /// <summary>Characters per <c>DocN</c> property: below the 32 768 UTF-16 characters of a 64 KiB string.</summary>
    public const int DocChunkChars = 30_000;

    /// <summary>Chunks per order: keeps the row well under the 1 MiB entity limit.</summary>
    public const int MaxDocChunks = 15;

    private const int MaxEventsPerChange = TableRows.MaxTransactionActions - 1;

    private readonly EnsureTableOnce _table;

    public TableOrderStore(TableServiceClient client, OrderStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _table = new EnsureTableOnce(client.GetTableClient(options.OrdersTable));
    }

    /// <summary>The underlying table (tests, tools).</summary>
    public TableClient Table => _table.Table;

    /// <summary>The orders table, created once per process however many readers it has (<see cref="TableOutbox"/>).</summary>
    internal EnsureTableOnce OrdersTable => _table;

    public async Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        TableNames.ValidateKey(orderId, "Order id", nameof(orderId));
        await _table.EnsureAsync(cancellationToken);
        var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(orderId, OrderRowKey, cancellationToken: cancellationToken);
        return row.HasValue ? new StoredOrder(ReadOrder(row.Value!), row.Value!.ETag.ToString()) : null;
    }

    public async Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var entity = ToEntity(order);
        await _table.EnsureAsync(cancellationToken);
        try
        {
            var response = await _table.Table.AddEntityAsync(entity, cancellationToken);
            return new StoredOrder(order, RequireETag(response.Headers.ETag, "order insert"));
        }
        catch (RequestFailedException ex) when (ex.IsConflict())
        {
            // Someone else's order, or (after a retried insert) our own first attempt: either way the caller
            // re-reads and decides.
            return null;
        }
    }

    public async Task<StoredOrder?> TryReplaceAsync(
        StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(events);
        if (!string.Equals(current.Order.Id, updated.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The updated order has id '{updated.Id}', not '{current.Order.Id}'.", nameof(updated));
        }

        if (events.Count > MaxEventsPerChange)
        {
            throw new ArgumentException($"At most {MaxEventsPerChange} events can be written with one change.", nameof(events));
        }

        var actions = new List<TableTransactionAction>(events.Count + 1)
        {
            new(TableTransactionActionType.UpdateReplace, ToEntity(updated), new ETag(current.ETag)),
        };
        foreach (var e in events)
        {
            if (!string.Equals(e.OrderId, updated.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Event '{e.EventId}' belongs to order '{e.OrderId}', not '{updated.Id}'.", nameof(events));
            }

            actions.Add(new(TableTransactionActionType.Add, ToEntity(e)));
        }

        TableRows.AssertOnePartition(actions);
        await _table.EnsureAsync(cancellationToken);
        try
        {
            var results = await _table.Table.SubmitTransactionAsync(actions, cancellationToken);
            return new StoredOrder(updated, RequireETag(results.Value[0].Headers.ETag, "order update"));
        }
        catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == 0 && ex.IsPreconditionFailed())
        {
            // The order moved since it was read (or, after a retried transaction, our own first attempt
            // committed): nothing of this call is written by this attempt. Re-read and decide again.
            return null;
        }
    }

    /// <remarks>
    /// A server-side filtered scan over the order rows (Status and CreatedAt are scalar columns); the results come back
    /// in PartitionKey order, and order ids are time-ordered, so the oldest orders come first.
    /// </remarks>
    public Task<IReadOnlyList<string>> FindByStatusAsync(PaymentStatus status, DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken) =>
        FindOrderIdsAsync(TableClient.CreateQueryFilter($"RowKey eq {OrderRowKey} and Status eq {status.ToWire()} and CreatedAt lt {createdBefore}"), maxCount, cancellationToken);

    /// <remarks>A filtered scan over the <c>AwaitingSession</c> column, written with every order change.</remarks>
    public Task<IReadOnlyList<string>> FindAwaitingProviderSessionAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken) =>
        FindOrderIdsAsync(
            TableClient.CreateQueryFilter($"RowKey eq {OrderRowKey} and Status eq {PaymentStatus.Pending.ToWire()} and AwaitingSession eq {true} and CreatedAt lt {createdBefore}"),
            maxCount, cancellationToken);

    /// <remarks>A filtered scan over the <c>ChargesDueAt</c> column, written with every order change.</remarks>
    public Task<IReadOnlyList<string>> FindChargesDueAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken) =>
        FindOrderIdsAsync(TableClient.CreateQueryFilter($"RowKey eq {OrderRowKey} and ChargesDueAt le {dueBy}"), maxCount, cancellationToken);

    /// <remarks>A filtered scan over the <c>RefundsDueAt</c> column, written with every order change.</remarks>
    public Task<IReadOnlyList<string>> FindRefundsDueAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken) =>
        FindOrderIdsAsync(TableClient.CreateQueryFilter($"RowKey eq {OrderRowKey} and RefundsDueAt le {dueBy}"), maxCount, cancellationToken);

    private async Task<IReadOnlyList<string>> FindOrderIdsAsync(string filter, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await _table.EnsureAsync(cancellationToken);
        var ids = new List<string>();
        await foreach (var entity in _table.Table.QueryAsync<TableEntity>(
            filter, maxPerPage: Math.Min(maxCount, 1000), select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            ids.Add(entity.PartitionKey);
            if (ids.Count >= maxCount)
            {
                break;
            }
        }

        return ids;
    }

    /// <summary>The order row of <paramref name="order"/>.</summary>
    public static TableEntity ToEntity(Order order)
    {
        TableNames.ValidateKey(order.Id, "Order id", nameof(order));
        var json = OrderJson.Serialize(order);
        var parts = (json.Length + DocChunkChars - 1) / DocChunkChars;
        if (parts > MaxDocChunks)
        {
            throw new InvalidOperationException(
                $"Order '{order.Id}' is too large to store: {json.Length} characters of JSON, at most {MaxDocChunks * DocChunkChars}.");
        }

        var columns = new Dictionary<string, object?>
        {
            ["Status"] = order.Status.ToWire(),
            ["Provider"] = order.Provider,
            ["MerchantReference"] = order.MerchantReference,
            ["AmountMinor"] = order.Amount.Minor,
            ["Currency"] = order.Amount.Currency.Code,
            ["ProviderReference"] = order.ProviderReference,
            ["CreatedAt"] = order.CreatedAt,
            ["UpdatedAt"] = order.UpdatedAt,
            ["ChargesDueAt"] = ChargeRules.AttentionAt(order),
            ["RefundsDueAt"] = RefundRules.AttentionAt(order),
            ["AwaitingSession"] = order.AwaitingProviderSession,
            ["DocParts"] = parts,
        };
        for (var i = 0; i < parts; i++)
        {
            var start = i * DocChunkChars;
            columns[DocName(i)] = json.Substring(start, Math.Min(DocChunkChars, json.Length - start));
        }

        return TableRows.Create(order.Id, OrderRowKey, columns);
    }

    /// <summary>The order stored in an order row.</summary>
    public static Order ReadOrder(TableEntity entity)
    {
        var parts = entity.GetInt32("DocParts");
        var json = new StringBuilder();
        for (var i = 0; parts is null || i < parts; i++)
        {
            var chunk = entity.GetString(DocName(i));
            if (chunk is null)
            {
                if (parts is null && i > 0)
                {
                    break;
                }

                throw new InvalidDataException($"Order row '{entity.PartitionKey}' is missing {DocName(i)}.");
            }

            json.Append(chunk);
        }

        return OrderJson.DeserializeOrder(json.ToString());
    }

    /// <summary>The outbox row of <paramref name="paymentEvent"/>.</summary>
    public static TableEntity ToEntity(PaymentEvent paymentEvent) => TableRows.Create(paymentEvent.OrderId, EventRowKey(paymentEvent.EventId),
        new Dictionary<string, object?>
        {
            ["EventId"] = paymentEvent.EventId,
            ["Type"] = paymentEvent.Type,
            ["OccurredAt"] = paymentEvent.OccurredAt,
            ["Event"] = OrderJson.Serialize(paymentEvent),
            ["Pending"] = true,
        });

    public static string EventRowKey(string eventId)
    {
        var rowKey = EventRowKeyPrefix + eventId;
        TableNames.ValidateKey(rowKey, "Event id", nameof(eventId));
        return rowKey;
    }

    /// <summary>The event id of an outbox row.</summary>
    internal static string EventIdOf(TableEntity entity) => entity.GetString("EventId") ?? entity.RowKey[EventRowKeyPrefix.Length..];

    /// <summary>The event stored in an outbox row.</summary>
    internal static OutboxEntry ReadEvent(TableEntity entity)
    {
        var paymentEvent = OrderJson.DeserializeEvent(entity.GetString("Event")
            ?? throw new InvalidDataException($"Outbox row '{entity.PartitionKey}/{entity.RowKey}' has no Event."));
        return new OutboxEntry(entity.PartitionKey, EventIdOf(entity), paymentEvent, entity.GetDateTimeOffset("OccurredAt") ?? paymentEvent.OccurredAt);
    }

    private static string RequireETag(ETag? etag, string operation) =>
        etag?.ToString() ?? throw new InvalidOperationException($"Table Storage answered the {operation} without an ETag.");

    private static string DocName(int index) => "Doc" + index.ToString(CultureInfo.InvariantCulture);
}
