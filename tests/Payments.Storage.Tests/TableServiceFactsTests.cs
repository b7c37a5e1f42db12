using Azure;

namespace Payments.Storage.Tests;

/// <summary>
/// What the stores rely on, checked against Azurite through the SDK as the app builds it: the statuses and error codes
/// the ports' outcomes are mapped from, the failed action's index of a rejected transaction, the columns' types, keys
/// that need escaping, and where Azurite is more lenient than the service.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class TableServiceFactsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Insert_of_an_existing_entity_is_a_409_conflict()
    {
        var table = await azurite.CreateTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }));

        Assert.True(ex.IsConflict());
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.False(StorageFailures.IsUnavailable(ex));
        Assert.Equal(1, (await table.GetRowAsync("p", "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_a_412_and_changes_nothing()
    {
        var table = await azurite.CreateTableAsync();
        var stale = (await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 })).Headers.ETag!.Value;
        await table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, stale, TableUpdateMode.Replace);

        var replace = await Assert.ThrowsAsync<RequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, stale, TableUpdateMode.Replace));
        var merge = await Assert.ThrowsAsync<RequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, stale, TableUpdateMode.Merge));

        Assert.All(new[] { replace, merge }, ex => Assert.True(ex.IsPreconditionFailed(), ex.Message));
        Assert.Equal("UpdateConditionNotSatisfied", replace.ErrorCode);
        Assert.Equal(2, (await table.GetRowAsync("p", "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Update_of_a_missing_entity_is_a_404_and_a_point_read_of_a_missing_entity_or_table_has_no_value()
    {
        var table = await azurite.CreateTableAsync();

        var ex = await Assert.ThrowsAsync<RequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "none") { ["V"] = 1 }, ETag.All, TableUpdateMode.Merge));

        Assert.True(ex.IsNotFound());
        Assert.Null(await table.GetRowAsync("nope", "nope"));
        Assert.Null(await azurite.CreateServiceClient().GetTableClient(AzuriteFixture.UniqueTableName("missing")).GetRowAsync("a", "b"));
    }

    [Fact]
    public async Task Columns_keep_their_types_and_times_are_stored_as_utc()
    {
        var table = await azurite.CreateTableAsync();
        var when = new DateTimeOffset(2025, 7, 1, 12, 34, 56, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        await table.AddEntityAsync(TableRows.Create("p", "r", new Dictionary<string, object?>
        {
            ["Str"] = "héllo \"quoted\" \n line ✓",
            ["Empty"] = string.Empty,
            ["True"] = true,
            ["Int"] = int.MinValue,
            ["Big"] = (1L << 53) + 1,
            ["Max"] = long.MaxValue,
            ["When"] = when,
            ["Gone"] = null,
        }));

        var read = (await table.GetRowAsync("p", "r"))!;
        var queried = Assert.Single(await table.RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"} and When eq {when}")));

        Assert.Equal("héllo \"quoted\" \n line ✓", read.GetString("Str"));
        Assert.Equal(string.Empty, read.GetString("Empty"));
        Assert.True(read.GetBoolean("True"));
        Assert.Equal(int.MinValue, read.GetInt32("Int"));
        Assert.IsType<long>(read["Big"]);
        Assert.Equal((1L << 53) + 1, read.GetInt64("Big"));
        Assert.Equal(long.MaxValue, read.GetInt64("Max"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(TimeSpan.Zero, read.GetDateTimeOffset("When")!.Value.Offset);
        Assert.False(read.ContainsKey("Gone"));
        Assert.Equal(read.ETag, queried.ETag);
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

        var etag = (await table.AddEntityAsync(new TableEntity(key, key) { ["V"] = 1 })).Headers.ETag!.Value;
        var read = await table.GetRowAsync(key, key);
        await table.UpdateEntityAsync(new TableEntity(key, key) { ["V"] = 2 }, etag, TableUpdateMode.Replace);
        var queried = await table.RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey eq {key}"));

        Assert.Equal(key, read!.PartitionKey);
        Assert.Equal(key, read.RowKey);
        Assert.Equal(2, Assert.Single(queried).GetInt32("V"));
        Assert.Equal(204, (await table.DeleteEntityAsync(key, key)).Status);
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
    public void Invalid_table_names_are_rejected(string name) =>
        Assert.Throws<ArgumentException>(() => TableNames.ValidateTableName(name));

    [Fact]
    public async Task A_failed_transaction_names_the_failed_action_and_writes_nothing()
    {
        var table = await azurite.CreateTableAsync();
        var stale = (await table.AddEntityAsync(new TableEntity("p", "order") { ["V"] = 1 })).Headers.ETag!.Value;
        var current = (await table.UpdateEntityAsync(new TableEntity("p", "order") { ["V"] = 2 }, stale, TableUpdateMode.Replace)).Headers.ETag!.Value;
        await table.AddEntityAsync(new TableEntity("p", "taken"));

        // A stale ETag on the guarded row: 412 at index 0.
        var precondition = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "order") { ["V"] = 3 }, stale),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "event_1")),
        ]));

        // A current ETag but an insert of an existing row: 409 at index 2.
        var conflict = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "order") { ["V"] = 3 }, current),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "event_2")),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "taken")),
        ]));

        Assert.Equal(0, precondition.FailedTransactionActionIndex);
        Assert.True(precondition.IsPreconditionFailed(), precondition.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, conflict.FailedTransactionActionIndex);
        Assert.True(conflict.IsConflict());
        Assert.Equal("EntityAlreadyExists", conflict.ErrorCode);
        Assert.False(StorageFailures.IsUnavailable(conflict));

        var rows = await table.RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}"));
        Assert.Equal(["order", "taken"], rows.Select(r => r.RowKey).Order());
        Assert.Equal(current, rows.Single(r => r.RowKey == "order").ETag);
        Assert.Equal(2, rows.Single(r => r.RowKey == "order").GetInt32("V"));
    }

    [Fact]
    public async Task Azurite_commits_a_transaction_over_two_partitions_so_the_stores_refuse_to_send_one()
    {
        var table = await azurite.CreateTableAsync();
        TableTransactionAction[] twoPartitions =
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "a")),
            new(TableTransactionActionType.Add, new TableEntity("q", "b")),
        ];

        // The real service answers 400 (CommandsInBatchActOnDifferentPartitions); Azurite writes both rows.
        await table.SubmitTransactionAsync(twoPartitions);
        Assert.Equal(2, (await table.RowsAsync()).Count);

        var refused = Assert.Throws<ArgumentException>(() => TableRows.AssertOnePartition(twoPartitions));
        Assert.Contains("one PartitionKey", refused.Message, StringComparison.Ordinal);
        TableRows.AssertOnePartition([twoPartitions[0]]);
        Assert.Throws<ArgumentException>(() => TableRows.AssertOnePartition([]));
    }

    [Fact]
    public async Task A_wrong_key_is_a_403_whose_message_shows_no_secret()
    {
        const string wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
        var options = azurite.CreateOptions();
        options.ConnectionString = options.ConnectionString!.Replace(AzuriteFixture.DevelopmentAccountKey, wrongKey, StringComparison.Ordinal);
        var table = azurite.CreateServiceClient(options).GetTableClient(AzuriteFixture.UniqueTableName());

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.CreateIfNotExistsAsync());

        Assert.Equal((int)HttpStatusCode.Forbidden, ex.Status);
        Assert.False(StorageFailures.IsUnavailable(ex));
        Assert.DoesNotContain(wrongKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.DevelopmentAccountKey, ex.ToString(), StringComparison.Ordinal);
    }
}
