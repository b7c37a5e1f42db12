using System.Net;
using Payments.Storage.Tables;
using Payments.Testing;

namespace Payments.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class TableClientTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Create_table_is_idempotent()
    {
        var client = azurite.CreateServiceClient();
        var name = AzuriteFixture.UniqueTableName("create");

        Assert.True(await client.CreateTableIfNotExistsAsync(name));
        Assert.False(await client.CreateTableIfNotExistsAsync(name));
        Assert.True(await client.DeleteTableAsync(name));
        Assert.False(await client.DeleteTableAsync(name));
    }

    [Fact]
    public async Task Insert_read_update_delete()
    {
        var table = await azurite.CreateTableAsync();

        var etag = await table.AddEntityAsync(new TableEntity("p1", "r1") { ["Name"] = "first", ["Count"] = 1 });
        var read = await table.GetEntityAsync("p1", "r1");

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.Equal("first", read.GetString("Name"));
        Assert.Equal(1, read.GetInt32("Count"));
        Assert.NotNull(read.Timestamp);

        read["Name"] = "second";
        var etag2 = await table.UpdateEntityAsync(read, read.ETag!, TableUpdateMode.Replace);
        Assert.NotEqual(etag, etag2);
        Assert.Equal("second", (await table.GetEntityAsync("p1", "r1"))!.GetString("Name"));

        Assert.True(await table.DeleteEntityAsync("p1", "r1", etag2));
        Assert.Null(await table.GetEntityAsync("p1", "r1"));
        Assert.False(await table.DeleteEntityAsync("p1", "r1"));
    }

    [Fact]
    public async Task Point_read_of_a_missing_entity_or_table_is_null()
    {
        var table = await azurite.CreateTableAsync();

        Assert.Null(await table.GetEntityAsync("nope", "nope"));
        Assert.Null(await azurite.CreateServiceClient().GetTableClient(AzuriteFixture.UniqueTableName("missing")).GetEntityAsync("a", "b"));
    }

    [Fact]
    public async Task Insert_of_an_existing_entity_is_a_409_conflict()
    {
        var table = await azurite.CreateTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });

        var ex = await Assert.ThrowsAsync<TableStorageException>(() => table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }));

        Assert.True(ex.IsConflict);
        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.Equal(1, (await table.GetEntityAsync("p", "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_a_412_and_changes_nothing()
    {
        var table = await azurite.CreateTableAsync();
        var stale = await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });
        await table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, stale, TableUpdateMode.Replace);

        var replace = await Assert.ThrowsAsync<TableStorageException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, stale, TableUpdateMode.Replace));
        var merge = await Assert.ThrowsAsync<TableStorageException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, stale, TableUpdateMode.Merge));
        var delete = await Assert.ThrowsAsync<TableStorageException>(() => table.DeleteEntityAsync("p", "r", stale));

        Assert.All(new[] { replace, merge, delete }, ex => Assert.True(ex.IsPreconditionFailed, ex.Message));
        Assert.Equal("UpdateConditionNotSatisfied", replace.ErrorCode);
        Assert.Equal(2, (await table.GetEntityAsync("p", "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Update_of_a_missing_entity_is_a_404()
    {
        var table = await azurite.CreateTableAsync();

        var ex = await Assert.ThrowsAsync<TableStorageException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "none") { ["V"] = 1 }, "*", TableUpdateMode.Merge));

        Assert.True(ex.IsNotFound);
    }

    [Fact]
    public async Task Merge_keeps_other_properties_and_replace_drops_them()
    {
        var table = await azurite.CreateTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "merge") { ["A"] = "a", ["B"] = "b" });
        await table.AddEntityAsync(new TableEntity("p", "replace") { ["A"] = "a", ["B"] = "b" });

        await table.UpdateEntityAsync(new TableEntity("p", "merge") { ["B"] = "B2", ["C"] = "c" }, "*", TableUpdateMode.Merge);
        await table.UpdateEntityAsync(new TableEntity("p", "replace") { ["B"] = "B2", ["C"] = "c" }, "*", TableUpdateMode.Replace);

        var merged = await table.GetEntityAsync("p", "merge");
        var replaced = await table.GetEntityAsync("p", "replace");
        Assert.Equal(("a", "B2", "c"), (merged!.GetString("A"), merged.GetString("B"), merged.GetString("C")));
        Assert.Equal(((string?)null, "B2", "c"), (replaced!.GetString("A"), replaced.GetString("B"), replaced.GetString("C")));
    }

    [Fact]
    public async Task Upsert_inserts_then_replaces_or_merges()
    {
        var table = await azurite.CreateTableAsync();

        var e1 = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" }, TableUpdateMode.Replace);
        var e2 = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["C"] = "c" }, TableUpdateMode.Merge);
        var merged = await table.GetEntityAsync("p", "r");
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["D"] = "d" }, TableUpdateMode.Replace);
        var replaced = await table.GetEntityAsync("p", "r");

        Assert.NotEqual(e1, e2);
        Assert.Equal(["A", "B", "C"], merged!.Properties.Keys.Order());
        Assert.Equal(["D"], replaced!.Properties.Keys);
        Assert.NotNull(await table.UpsertEntityAsync(new TableEntity("p", "new") { ["X"] = 1 }, TableUpdateMode.Merge));
    }

    [Fact]
    public async Task Typed_properties_round_trip()
    {
        var table = await azurite.CreateTableAsync();
        var when = new DateTimeOffset(2025, 7, 1, 12, 34, 56, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var guid = Guid.NewGuid();
        var bytes = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        await table.AddEntityAsync(new TableEntity("p", "r")
        {
            ["Str"] = "héllo \"quoted\" \n line ✓",
            ["Empty"] = string.Empty,
            ["True"] = true,
            ["False"] = false,
            ["Int"] = int.MinValue,
            ["Big"] = (1L << 53) + 1,
            ["Max"] = long.MaxValue,
            ["Neg"] = long.MinValue,
            ["Dbl"] = 0.1 + 0.2,
            ["Whole"] = 3.0,
            ["When"] = when,
            ["Id"] = guid,
            ["Bin"] = bytes,
        });

        var read = (await table.GetEntityAsync("p", "r"))!;

        Assert.Equal("héllo \"quoted\" \n line ✓", read.GetString("Str"));
        Assert.Equal(string.Empty, read.GetString("Empty"));
        Assert.True(read.GetBoolean("True"));
        Assert.False(read.GetBoolean("False"));
        Assert.Equal(int.MinValue, read.GetInt32("Int"));
        Assert.IsType<long>(read["Big"]);
        Assert.Equal((1L << 53) + 1, read.GetInt64("Big"));
        Assert.Equal(long.MaxValue, read.GetInt64("Max"));
        Assert.Equal(long.MinValue, read.GetInt64("Neg"));
        Assert.Equal(0.1 + 0.2, read.GetDouble("Dbl"));
        Assert.IsType<double>(read["Whole"]);
        Assert.Equal(3.0, read.GetDouble("Whole"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(TimeSpan.Zero, read.GetDateTimeOffset("When")!.Value.Offset);
        Assert.Equal(guid, read.GetGuid("Id"));
        Assert.Equal(bytes, read.GetBinary("Bin"));

        // The same through a query (ETag from odata.etag rather than the header).
        var queried = await table.QueryAsync(TableFilter.Of($"PartitionKey eq {"p"}")).SingleAsync();
        Assert.Equal(read.ETag, queried.ETag);
        Assert.Equal((1L << 53) + 1, queried.GetInt64("Big"));
        Assert.Equal(when, queried.GetDateTimeOffset("When"));
        Assert.Equal(bytes, queried.GetBinary("Bin"));
    }

    [Fact]
    public async Task Etags_are_kept_exactly_and_work_in_if_match()
    {
        var table = await azurite.CreateTableAsync();

        var etag = await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });

        Assert.StartsWith("W/\"", etag, StringComparison.Ordinal);
        Assert.Equal(etag, (await table.GetEntityAsync("p", "r"))!.ETag);
        var next = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, etag, TableUpdateMode.Merge);
        Assert.NotEqual(etag, next);
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("''")]
    [InlineData("a b+c%20d&e=f")]
    [InlineData("ünïcødé ✓ 日本")]
    [InlineData("(PartitionKey='x')")]
    public async Task Awkward_but_legal_keys_round_trip(string key)
    {
        var table = await azurite.CreateTableAsync();

        var etag = await table.AddEntityAsync(new TableEntity(key, key) { ["V"] = 1 });
        var read = await table.GetEntityAsync(key, key);
        await table.UpdateEntityAsync(new TableEntity(key, key) { ["V"] = 2 }, etag, TableUpdateMode.Replace);
        var queried = await table.QueryAsync(TableFilter.Of($"PartitionKey eq {key} and RowKey eq {key}")).ToListAsync();

        Assert.Equal(key, read!.PartitionKey);
        Assert.Equal(key, read.RowKey);
        Assert.Equal(2, Assert.Single(queried).GetInt32("V"));
        Assert.True(await table.DeleteEntityAsync(key, key));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007fb")]
    [InlineData("")]
    public async Task Invalid_keys_are_rejected_before_any_request(string key)
    {
        var handler = new ScriptedHandler();
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");
        var ok = "fine";

        await Assert.ThrowsAsync<ArgumentException>(() => table.GetEntityAsync(key, ok));
        await Assert.ThrowsAsync<ArgumentException>(() => table.GetEntityAsync(ok, key));
        await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(new TableEntity(key, ok)));
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpsertEntityAsync(new TableEntity(ok, key), TableUpdateMode.Merge));
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateEntityAsync(new TableEntity(key, ok), "*", TableUpdateMode.Replace));
        await Assert.ThrowsAsync<ArgumentException>(() => table.DeleteEntityAsync(ok, key));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([TableTransactionAction.Add(new TableEntity(ok, key))]));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void Key_errors_say_what_is_wrong()
    {
        var ex = Assert.Throws<ArgumentException>(() => TableNames.ValidateKey("a\u0001b", "PartitionKey"));
        Assert.Contains("control characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\\u0001", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => TableNames.ValidateKey(new string('é', 600), "RowKey"));
        Assert.Contains("1024 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1abc")]
    [InlineData("has-dash")]
    [InlineData("tables")]
    [InlineData("")]
    public void Invalid_table_names_are_rejected(string name)
    {
        var client = ScriptedHandler.Client(new ScriptedHandler());
        Assert.Throws<ArgumentException>(() => client.GetTableClient(name));
    }

    [Fact]
    public async Task Query_follows_continuation_tokens()
    {
        var table = await azurite.CreateTableAsync();
        for (var batch = 0; batch < 3; batch++)
        {
            await table.SubmitTransactionAsync(Enumerable.Range(0, 100)
                .Select(i => TableTransactionAction.Add(new TableEntity($"p{batch}", $"r{i:D3}") { ["N"] = (batch * 100) + i }))
                .ToList());
        }

        var pages = await table.QueryPagesAsync(maxPerPage: 70).ToListAsync();
        var all = await table.QueryAsync(maxPerPage: 70).ToListAsync();
        var filtered = await table.QueryAsync(
            TableFilter.Of($"PartitionKey eq {"p1"} and N ge {150}"), select: ["N"], maxPerPage: 7).ToListAsync();

        Assert.True(pages.Count >= 5, $"expected several pages, got {pages.Count}");
        Assert.All(pages.SkipLast(1), p => Assert.True(p.HasMore));
        Assert.False(pages[^1].HasMore);
        Assert.Equal(300, all.Count);
        Assert.Equal(Enumerable.Range(0, 300), all.Select(e => e.GetInt32("N")!.Value).Order());
        Assert.Equal(Enumerable.Range(150, 50), filtered.Select(e => e.GetInt32("N")!.Value));
        Assert.All(filtered, e => Assert.Equal(["N"], e.Properties.Keys));
    }

    [Fact]
    public async Task Query_without_top_pages_at_1000()
    {
        var table = await azurite.CreateTableAsync();
        var tasks = Enumerable.Range(0, 11).Select(batch => table.SubmitTransactionAsync(Enumerable.Range(0, 100)
            .Select(i => TableTransactionAction.Add(new TableEntity($"p{batch:D2}", $"r{i:D3}")))
            .ToList()));
        await Task.WhenAll(tasks);

        var pages = await table.QueryPagesAsync(select: ["PartitionKey"]).ToListAsync();

        Assert.Equal(1100, pages.Sum(p => p.Entities.Count));
        Assert.True(pages.Count >= 2);
        Assert.True(pages[0].Entities.Count <= 1000);
    }

    [Fact]
    public async Task Transaction_commits_all_actions_and_returns_their_etags()
    {
        var table = await azurite.CreateTableAsync();
        var existingEtag = await table.AddEntityAsync(new TableEntity("p", "update") { ["V"] = 1, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity("p", "merge") { ["V"] = 1, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity("p", "delete"));

        var results = await table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(new TableEntity("p", "add") { ["V"] = 1 }),
            TableTransactionAction.UpdateReplace(new TableEntity("p", "update") { ["V"] = 2 }, existingEtag),
            TableTransactionAction.UpdateMerge(new TableEntity("p", "merge") { ["V"] = 2 }, "*"),
            TableTransactionAction.UpsertReplace(new TableEntity("p", "upsert") { ["V"] = 1 }),
            TableTransactionAction.UpsertMerge(new TableEntity("p", "upsertmerge") { ["V"] = 1 }),
            TableTransactionAction.Delete("p", "delete"),
        ]);

        Assert.Equal(6, results.Count);
        Assert.All(results.Take(5), r => Assert.NotNull(r.ETag));
        var update = await table.GetEntityAsync("p", "update");
        Assert.Equal(results[1].ETag, update!.ETag);
        Assert.Null(update.GetString("Keep"));
        Assert.Equal("k", (await table.GetEntityAsync("p", "merge"))!.GetString("Keep"));
        Assert.NotNull(await table.GetEntityAsync("p", "add"));
        Assert.NotNull(await table.GetEntityAsync("p", "upsert"));
        Assert.NotNull(await table.GetEntityAsync("p", "upsertmerge"));
        Assert.Null(await table.GetEntityAsync("p", "delete"));
    }

    [Fact]
    public async Task Failed_transaction_names_the_failed_action_and_writes_nothing()
    {
        var table = await azurite.CreateTableAsync();
        var stale = await table.AddEntityAsync(new TableEntity("p", "order") { ["V"] = 1 });
        var current = await table.UpdateEntityAsync(new TableEntity("p", "order") { ["V"] = 2 }, stale, TableUpdateMode.Replace);
        await table.AddEntityAsync(new TableEntity("p", "taken"));

        // A stale ETag on the guarded row: 412 at index 0.
        var precondition = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            TableTransactionAction.UpdateReplace(new TableEntity("p", "order") { ["V"] = 3 }, stale),
            TableTransactionAction.Add(new TableEntity("p", "event_1")),
        ]));

        // A current ETag but an insert of an existing row: 409 at index 2.
        var conflict = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            TableTransactionAction.UpdateReplace(new TableEntity("p", "order") { ["V"] = 3 }, current),
            TableTransactionAction.Add(new TableEntity("p", "event_2")),
            TableTransactionAction.Add(new TableEntity("p", "taken")),
        ]));

        Assert.Equal(0, precondition.FailedActionIndex);
        Assert.Equal(HttpStatusCode.PreconditionFailed, precondition.StatusCode);
        Assert.Equal(2, conflict.FailedActionIndex);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("EntityAlreadyExists", conflict.ErrorCode);

        var rows = await table.QueryAsync(TableFilter.Of($"PartitionKey eq {"p"}")).ToListAsync();
        Assert.Equal(["order", "taken"], rows.Select(r => r.RowKey).Order());
        Assert.Equal(current, rows.Single(r => r.RowKey == "order").ETag);
        Assert.Equal(2, rows.Single(r => r.RowKey == "order").GetInt32("V"));
    }

    [Fact]
    public async Task Transactions_are_validated_before_sending()
    {
        var handler = new ScriptedHandler();
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([]));
        var tooMany = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            Enumerable.Range(0, 101).Select(i => TableTransactionAction.Add(new TableEntity("p", $"r{i}"))).ToList()));
        var partitions = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            [TableTransactionAction.Add(new TableEntity("p", "a")), TableTransactionAction.Add(new TableEntity("q", "b"))]));
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            [TableTransactionAction.Add(new TableEntity("p", "a")), TableTransactionAction.Delete("p", "a")]));
        var large = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            Enumerable.Range(0, 100).Select(i => TableTransactionAction.Add(new TableEntity("p", $"r{i}") { ["Big"] = new string('x', 45_000) }))
                .ToList()));

        Assert.Contains("at most 100", tooMany.Message, StringComparison.Ordinal);
        Assert.Contains("one PartitionKey", partitions.Message, StringComparison.Ordinal);
        Assert.Contains("once", twice.Message, StringComparison.Ordinal);
        Assert.Contains("4 MiB", large.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_wrong_key_is_a_403_whose_message_shows_no_secret()
    {
        const string wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
        var options = azurite.CreateOptions();
        options.ConnectionString = options.ConnectionString!.Replace(StorageConnectionString.DevelopmentAccountKey, wrongKey, StringComparison.Ordinal);
        var table = azurite.CreateServiceClient(options).GetTableClient(AzuriteFixture.UniqueTableName());

        var ex = await Assert.ThrowsAsync<TableStorageException>(() => table.CreateIfNotExistsAsync());

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.DoesNotContain(wrongKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SharedKeyLite", ex.ToString(), StringComparison.Ordinal);
    }
}
