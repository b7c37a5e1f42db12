using Payments.Core.Money;

using static Payments.Storage.Tests.StoredOrders;

namespace Payments.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class OrderStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Insert_then_get_round_trips_the_whole_order()
    {
        var storage = azurite.CreateOrderStorage();
        var order = NewOrder();

        var inserted = await storage.Store.TryInsertAsync(order, default);
        var read = await storage.Store.GetAsync(order.Id, default);

        Assert.NotNull(inserted);
        Assert.NotNull(read);
        Assert.Equal(inserted.ETag, read.ETag);
        AssertSameOrder(order, read.Order);
        Assert.Null(await storage.Store.GetAsync("ord_missing", default));
    }

    [Fact]
    public async Task Order_row_has_queryable_scalar_columns()
    {
        var storage = azurite.CreateOrderStorage();
        var order = NewOrder() with { Status = PaymentStatus.PartiallyRefunded, ProviderReference = "NEXT-42" };
        await storage.Store.TryInsertAsync(order, default);

        var row = await storage.Store.Table.GetRowAsync(order.Id, TableOrderStore.OrderRowKey);

        Assert.Equal("partially_refunded", row!.GetString("Status"));
        Assert.Equal("next", row.GetString("Provider"));
        Assert.Equal(order.MerchantReference, row.GetString("MerchantReference"));
        Assert.IsType<long>(row["AmountMinor"]);
        Assert.Equal(4990L, row.GetInt64("AmountMinor"));
        Assert.Equal("CHF", row.GetString("Currency"));
        Assert.Equal("NEXT-42", row.GetString("ProviderReference"));
        Assert.Equal(order.CreatedAt, row.GetDateTimeOffset("CreatedAt"));
        Assert.Equal(order.UpdatedAt, row.GetDateTimeOffset("UpdatedAt"));
        Assert.Contains("\"merchantReference\":", row.GetString("Doc0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_in_the_shape_the_hand_written_client_wrote_reads_back_through_the_store_unchanged()
    {
        var storage = azurite.CreateOrderStorage();
        var order = NewOrder() with { Status = PaymentStatus.Pending, ProviderReference = "NEXT-7", RedirectUrl = "https://pay.example/7" };
        var paymentEvent = PaymentEvent.ForTransition(order, order with { Status = PaymentStatus.Authorized }, Now.AddMinutes(1));

        // Exactly the columns and EDM types the previous version's EdmValues wrote (Int64 as Edm.Int64, times as UTC
        // Edm.DateTime, DocParts as Int32), written by hand rather than by TableOrderStore.ToEntity.
        var legacyOrderRow = new TableEntity(order.Id, TableOrderStore.OrderRowKey)
        {
            ["Status"] = "pending",
            ["Provider"] = "next",
            ["MerchantReference"] = order.MerchantReference,
            ["AmountMinor"] = 4990L,
            ["Currency"] = "CHF",
            ["ProviderReference"] = "NEXT-7",
            ["CreatedAt"] = Now.UtcDateTime,
            ["UpdatedAt"] = order.UpdatedAt.UtcDateTime,
            ["AwaitingSession"] = false,
            ["DocParts"] = 1,
            ["Doc0"] = OrderJson.Serialize(order),
        };
        var legacyEventRow = new TableEntity(order.Id, TableOrderStore.EventRowKeyPrefix + paymentEvent.EventId)
        {
            ["EventId"] = paymentEvent.EventId,
            ["Type"] = paymentEvent.Type,
            ["OccurredAt"] = paymentEvent.OccurredAt.UtcDateTime,
            ["Event"] = OrderJson.Serialize(paymentEvent),
            ["Pending"] = true,
        };
        Assert.Null(await storage.Store.GetAsync(order.Id, default)); // creates the table
        await storage.Store.Table.AddEntityAsync(legacyOrderRow);
        await storage.Store.Table.AddEntityAsync(legacyEventRow);

        var read = (await storage.Store.GetAsync(order.Id, default))!;
        AssertSameOrder(order, read.Order);
        var unsent = Assert.Single(await storage.Outbox.GetUnsentAsync(10, default));
        Assert.Equal(paymentEvent.EventId, unsent.EventId);
        Assert.Equal(OrderJson.Serialize(paymentEvent), OrderJson.Serialize(unsent.Event));
        Assert.Equal(paymentEvent.OccurredAt, unsent.OccurredAt);
        Assert.Empty(await storage.Store.FindAwaitingProviderSessionAsync(DateTimeOffset.MaxValue, 10, default));
        Assert.Equal([order.Id], await storage.Store.FindByStatusAsync(PaymentStatus.Pending, Now.AddSeconds(1), 10, default));

        // The new store writes every one of those columns with the same type over it.
        var legacyRead = (await storage.Store.Table.GetRowAsync(order.Id, TableOrderStore.OrderRowKey))!;
        var (authorized, events) = Transition(read.Order, PaymentStatus.Authorized);
        Assert.NotNull(await storage.Store.TryReplaceAsync(read, authorized, events, default));
        var rewritten = (await storage.Store.Table.GetRowAsync(order.Id, TableOrderStore.OrderRowKey))!;
        Assert.All(legacyOrderRow.Keys, column => Assert.Equal(legacyRead[column]?.GetType(), rewritten[column]?.GetType()));
        Assert.Equal("authorized", rewritten.GetString("Status"));
        Assert.Equal(Now, rewritten.GetDateTimeOffset("CreatedAt"));
    }

    [Fact]
    public async Task Insert_of_an_existing_id_returns_null_and_keeps_the_first()
    {
        var storage = azurite.CreateOrderStorage();
        var order = NewOrder();
        await storage.Store.TryInsertAsync(order, default);

        var second = await storage.Store.TryInsertAsync(order with { MerchantReference = "other" }, default);

        Assert.Null(second);
        Assert.Equal(order.MerchantReference, (await storage.Store.GetAsync(order.Id, default))!.Order.MerchantReference);
    }

    [Fact]
    public async Task Replace_writes_the_order_and_its_events_atomically()
    {
        var storage = azurite.CreateOrderStorage();
        var stored = (await storage.Store.TryInsertAsync(NewOrder(), default))!;
        var (updated, events) = Transition(stored.Order, PaymentStatus.Succeeded);

        var written = await storage.Store.TryReplaceAsync(stored, updated, events, default);

        Assert.NotNull(written);
        Assert.NotEqual(stored.ETag, written.ETag);
        var read = (await storage.Store.GetAsync(updated.Id, default))!;
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(PaymentStatus.Succeeded, read.Order.Status);
        Assert.Single(read.Order.History);

        var outbox = await storage.Store.Table.GetRowAsync(updated.Id, "event_" + events[0].EventId);
        Assert.NotNull(outbox);
        Assert.Equal(PaymentEvent.StatusChanged, outbox.GetString("Type"));
        Assert.Equal(events[0].OccurredAt, outbox.GetDateTimeOffset("OccurredAt"));
        Assert.True(outbox.GetBoolean("Pending"));
        Assert.Null(outbox.GetDateTimeOffset("SentAt"));
        var evt = OrderJson.DeserializeEvent(outbox.GetString("Event")!);
        Assert.Equal(events[0], evt);
    }

    [Fact]
    public async Task Replace_with_a_stale_etag_returns_null_and_writes_nothing()
    {
        var storage = azurite.CreateOrderStorage();
        var stored = (await storage.Store.TryInsertAsync(NewOrder(), default))!;
        var (authorized, firstEvents) = Transition(stored.Order, PaymentStatus.Authorized);
        var winner = await storage.Store.TryReplaceAsync(stored, authorized, firstEvents, default);
        var (failed, lateEvents) = Transition(stored.Order, PaymentStatus.Failed);

        var loser = await storage.Store.TryReplaceAsync(stored, failed, lateEvents, default);

        Assert.NotNull(winner);
        Assert.Null(loser);
        var read = (await storage.Store.GetAsync(stored.Order.Id, default))!;
        Assert.Equal(PaymentStatus.Authorized, read.Order.Status);
        Assert.Equal(winner.ETag, read.ETag);
        Assert.Null(await storage.Store.Table.GetRowAsync(stored.Order.Id, "event_" + lateEvents[0].EventId));
        var rows = await storage.Store.Table.RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {stored.Order.Id}"));
        Assert.Equal(["event_" + firstEvents[0].EventId, "order"], rows.Select(r => r.RowKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Replace_without_events_only_moves_the_etag()
    {
        var storage = azurite.CreateOrderStorage();
        var stored = (await storage.Store.TryInsertAsync(NewOrder(), default))!;

        var written = await storage.Store.TryReplaceAsync(stored, stored.Order with { RedirectUrl = "https://pay.example/x" }, [], default);

        Assert.NotNull(written);
        Assert.Equal("https://pay.example/x", (await storage.Store.GetAsync(stored.Order.Id, default))!.Order.RedirectUrl);
        Assert.Null(await storage.Store.TryReplaceAsync(stored, stored.Order, [], default));
    }

    [Fact]
    public async Task Fifty_concurrent_replaces_from_the_same_read_have_exactly_one_winner()
    {
        var storage = azurite.CreateOrderStorage();
        var stored = (await storage.Store.TryInsertAsync(NewOrder(), default))!;
        var attempts = Enumerable.Range(0, 50).Select(i =>
        {
            var (updated, events) = Transition(stored.Order, PaymentStatus.Succeeded, reason: $"attempt {i}");
            return (updated, events);
        }).ToList();

        var results = await Task.WhenAll(attempts.Select(a => Task.Run(() => storage.Store.TryReplaceAsync(stored, a.updated, a.events, default))));

        var winners = results.Select((r, i) => (r, i)).Where(x => x.r is not null).ToList();
        var (winner, index) = Assert.Single(winners);
        var read = (await storage.Store.GetAsync(stored.Order.Id, default))!;
        Assert.Equal(winner!.ETag, read.ETag);
        Assert.Equal($"attempt {index}", read.Order.History.Single().Reason);
        var outbox = await storage.Store.Table.RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {stored.Order.Id} and RowKey ne {"order"}"));
        Assert.Equal("event_" + attempts[index].events[0].EventId, Assert.Single(outbox).RowKey);
    }

    [Fact]
    public async Task A_large_order_is_split_across_doc_properties_and_round_trips()
    {
        var storage = azurite.CreateOrderStorage();
        var items = Enumerable.Range(0, 400)
            .Select(i => new OrderItem($"Item {i} — {new string('ü', 100)}", $"SKU-{i}", 1 + (i % 3), 100 + i, "8.1", ItemType.Goods))
            .ToList();
        var order = NewOrder() with { Items = items, Metadata = new Dictionary<string, string> { ["note"] = new string('n', 40_000) } };
        var json = OrderJson.Serialize(order);
        Assert.True(json.Length > 32_768 * 2, $"order JSON is only {json.Length} characters");

        var inserted = await storage.Store.TryInsertAsync(order, default);
        var row = await storage.Store.Table.GetRowAsync(order.Id, TableOrderStore.OrderRowKey);
        var read = await storage.Store.GetAsync(order.Id, default);

        Assert.NotNull(inserted);
        Assert.True(row!.GetInt32("DocParts") >= 3);
        Assert.All(row.Where(p => p.Key.StartsWith("Doc", StringComparison.Ordinal) && p.Value is string),
            p => Assert.True(((string)p.Value).Length <= TableOrderStore.DocChunkChars));
        AssertSameOrder(order, read!.Order);

        // Shrinking again drops the extra chunks (replace, not merge).
        var smaller = read.Order with { Items = items.Take(1).ToList(), Metadata = new Dictionary<string, string>() };
        Assert.NotNull(await storage.Store.TryReplaceAsync(read, smaller, [], default));
        var shrunk = await storage.Store.Table.GetRowAsync(order.Id, TableOrderStore.OrderRowKey);
        Assert.Equal(1, shrunk!.GetInt32("DocParts"));
        Assert.False(shrunk.ContainsKey("Doc1"));
        AssertSameOrder(smaller, (await storage.Store.GetAsync(order.Id, default))!.Order);
    }

    [Fact]
    public void An_order_too_large_for_one_row_is_refused_before_sending()
    {
        var order = NewOrder() with { Metadata = new Dictionary<string, string> { ["huge"] = new string('x', 500_000) } };
        Assert.Throws<InvalidOperationException>(() => TableOrderStore.ToEntity(order));
    }

    [Fact]
    public async Task First_idempotency_claim_wins_and_later_ones_get_the_first_record()
    {
        var storage = azurite.CreateOrderStorage();
        var key = "idem/key?with#odd\\chars and a long tail " + new string('k', 2000);
        var first = new IdempotencyRecord(key, "fp-1", "ord_first", Now);
        var second = new IdempotencyRecord(key, "fp-2", "ord_second", Now.AddSeconds(5));

        Assert.Null(await storage.Lookups.TryClaimIdempotencyKeyAsync(first, default));
        var existing = await storage.Lookups.TryClaimIdempotencyKeyAsync(second, default);

        Assert.Equal(first, existing);

        // Our own row (a retried insert whose first attempt landed) counts as our claim.
        Assert.Null(await storage.Lookups.TryClaimIdempotencyKeyAsync(first, default));

        var row = await storage.Lookups.Table.GetRowAsync(TableOrderLookups.IdempotencyPartitionKey(key), "idem");
        Assert.StartsWith("idem_", row!.PartitionKey, StringComparison.Ordinal);
        Assert.Equal(5 + 64, row.PartitionKey.Length);
        Assert.Equal(key, row.GetString("Key"));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_key_have_one_winner()
    {
        var storage = azurite.CreateOrderStorage();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            storage.Lookups.TryClaimIdempotencyKeyAsync(new IdempotencyRecord("k-concurrent", $"fp{i}", $"ord_{i}", Now), default)));

        Assert.Single(results, r => r is null);
        Assert.Single(results.Where(r => r is not null).Select(r => r!.OrderId).Distinct());
    }

    [Fact]
    public async Task Provider_reference_links_are_idempotent_and_exclusive()
    {
        var storage = azurite.CreateOrderStorage();
        const string reference = "NEXT/ORDER#123?x";

        Assert.Null(await storage.Lookups.FindOrderIdAsync("next", reference, default));
        Assert.Null(await storage.Lookups.LinkProviderReferenceAsync("next", reference, "ord_a", default));
        Assert.Null(await storage.Lookups.LinkProviderReferenceAsync("next", reference, "ord_a", default));
        Assert.Null(await storage.Lookups.LinkProviderReferenceAsync("mangopay", reference, "ord_b", default));

        Assert.Equal("ord_a", await storage.Lookups.FindOrderIdAsync("next", reference, default));
        Assert.Equal("ord_b", await storage.Lookups.FindOrderIdAsync("mangopay", reference, default));
    }

    [Fact]
    public async Task Linking_a_reference_another_order_holds_names_that_order_and_leaves_the_link()
    {
        // What a NEXT sandbox restarted against the same tables caused: the number of a new order linked to an old one.
        var storage = azurite.CreateOrderStorage();
        Assert.Null(await storage.Lookups.LinkProviderReferenceAsync("next", "100001", "ord_old", default));
        var rowBefore = await storage.Lookups.Table.GetRowAsync(TableOrderLookups.ReferencePartitionKey("next", "100001"), TableOrderLookups.ReferenceRowKey);

        Assert.Equal("ord_old", await storage.Lookups.LinkProviderReferenceAsync("next", "100001", "ord_new", default));
        Assert.Equal("ord_old", await storage.Lookups.LinkProviderReferenceAsync("next", "100001", "ord_new", default));

        Assert.Equal("ord_old", await storage.Lookups.FindOrderIdAsync("next", "100001", default));
        var rowAfter = await storage.Lookups.Table.GetRowAsync(TableOrderLookups.ReferencePartitionKey("next", "100001"), TableOrderLookups.ReferenceRowKey);
        Assert.Equal(rowBefore!.ETag, rowAfter!.ETag);
    }

    [Fact]
    public async Task Invalid_ids_are_rejected_before_any_request()
    {
        var handler = new ScriptedHandler();
        var client = ScriptedHandler.Client(handler);
        var store = new TableOrderStore(client, new OrderStorageOptions());
        var lookups = new TableOrderLookups(client, new OrderStorageOptions());

        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("ord/1", default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryInsertAsync(NewOrder() with { Id = "ord#1" }, default));
        await Assert.ThrowsAsync<ArgumentException>(() => lookups.LinkProviderReferenceAsync("bad/provider", "ref", "ord_1", default));
        await Assert.ThrowsAsync<ArgumentException>(() => lookups.LinkProviderReferenceAsync("next", "ref", "ord?1", default));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Store_creates_its_tables_on_first_use()
    {
        var storage = azurite.CreateOrderStorage();

        Assert.Null(await storage.Store.GetAsync("ord_x", default));
        Assert.Null(await storage.Lookups.FindOrderIdAsync("next", "r", default));

        // 409 TableAlreadyExists: the stores created them.
        Assert.Equal(409, (await storage.Client.CreateTableIfNotExistsAsync(storage.Options.OrdersTable)).GetRawResponse().Status);
        Assert.Equal(409, (await storage.Client.CreateTableIfNotExistsAsync(storage.Options.LookupsTable)).GetRawResponse().Status);
    }

    private static void AssertSameOrder(Order expected, Order actual) =>
        Assert.Equal(OrderJson.Serialize(expected), OrderJson.Serialize(actual));
}
