using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Payments.Storage.Tables;

/// <summary>
/// Entity operations on one table. Keys are validated (<see cref="TableNames.ValidateKey"/>) before any
/// request; a failing request throws <see cref="TableStorageException"/>. See <see cref="TableServiceClient"/>
/// for what retries mean for inserts (409) and ETag-guarded writes (412).
/// </summary>
public sealed class TableClient
{
    private readonly TableServiceClient _service;

    internal TableClient(TableServiceClient service, string name)
    {
        _service = service;
        Name = name;
    }

    public string Name { get; }

    public TableServiceClient Service => _service;

    /// <summary>Creates the table; true when this call created it.</summary>
    public Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        _service.CreateTableIfNotExistsAsync(Name, cancellationToken);

    public Task<bool> DeleteAsync(CancellationToken cancellationToken = default) => _service.DeleteTableAsync(Name, cancellationToken);

    /// <summary>Point read; null when the entity (or the table) does not exist.</summary>
    public async Task<TableEntity?> GetEntityAsync(
        string partitionKey, string rowKey, IReadOnlyCollection<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableNames.ValidateKeys(partitionKey, rowKey);
        var path = EntityPath(Name, partitionKey, rowKey);
        if (select is { Count: > 0 })
        {
            path += "?$select=" + Uri.EscapeDataString(string.Join(',', select));
        }

        var response = await _service.SendAsync(new TableRequest(HttpMethod.Get, path), Describe("read"), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw response.ToException(Describe("read"));
        }

        using var doc = JsonDocument.Parse(response.Body);
        return EdmValues.Read(doc.RootElement, response.ETag);
    }

    /// <summary>
    /// Inserts; returns the new ETag. Throws <see cref="TableStorageException"/> with 409
    /// (<see cref="TableStorageException.IsConflict"/>, code EntityAlreadyExists) when the entity exists —
    /// which, after a retry, can be this call's own first attempt.
    /// </summary>
    public async Task<string> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableNames.ValidateKeys(entity.PartitionKey, entity.RowKey);
        var response = await _service.SendAsync(
            new TableRequest(HttpMethod.Post, Name) { Body = EdmValues.Serialize(entity), Prefer = TableHeaders.ReturnNoContent },
            Describe("insert"),
            cancellationToken);
        return RequireETag(response, Describe("insert"), HttpStatusCode.NoContent, HttpStatusCode.Created);
    }

    /// <summary>Insert-or-replace (PUT) or insert-or-merge (MERGE) without a condition; returns the new ETag.</summary>
    public async Task<string> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableNames.ValidateKeys(entity.PartitionKey, entity.RowKey);
        var response = await _service.SendAsync(
            new TableRequest(MethodFor(mode), EntityPath(Name, entity.PartitionKey, entity.RowKey)) { Body = EdmValues.Serialize(entity) },
            Describe("upsert"),
            cancellationToken);
        return RequireETag(response, Describe("upsert"), HttpStatusCode.NoContent);
    }

    /// <summary>
    /// Replaces or merges an existing entity if its ETag is still <paramref name="ifMatch"/> ("*" for any
    /// version); returns the new ETag. Throws <see cref="TableStorageException"/> with 412
    /// (<see cref="TableStorageException.IsPreconditionFailed"/>) when the entity changed — after a retry,
    /// possibly by this call's own first attempt — and 404 when it does not exist.
    /// </summary>
    public async Task<string> UpdateEntityAsync(TableEntity entity, string ifMatch, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        TableNames.ValidateKeys(entity.PartitionKey, entity.RowKey);
        var response = await _service.SendAsync(
            new TableRequest(MethodFor(mode), EntityPath(Name, entity.PartitionKey, entity.RowKey))
            {
                Body = EdmValues.Serialize(entity),
                IfMatch = ifMatch,
            },
            Describe("update"),
            cancellationToken);
        return RequireETag(response, Describe("update"), HttpStatusCode.NoContent);
    }

    /// <summary>
    /// Deletes the entity if its ETag is still <paramref name="ifMatch"/> ("*" for any version). Returns
    /// false when it did not exist; throws with 412 when it changed.
    /// </summary>
    public async Task<bool> DeleteEntityAsync(string partitionKey, string rowKey, string ifMatch = "*", CancellationToken cancellationToken = default)
    {
        TableNames.ValidateKeys(partitionKey, rowKey);
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        var response = await _service.SendAsync(
            new TableRequest(HttpMethod.Delete, EntityPath(Name, partitionKey, rowKey)) { IfMatch = ifMatch },
            Describe("delete"),
            cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NoContent or HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw response.ToException(Describe("delete")),
        };
    }

    /// <summary>
    /// Every entity matching <paramref name="filter"/> (build it with <see cref="TableFilter.Of"/>), following
    /// continuation tokens page by page. <paramref name="maxPerPage"/> is sent as <c>$top</c> (the service
    /// caps a page at 1000).
    /// </summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string? filter = null,
        IReadOnlyCollection<string>? select = null,
        int? maxPerPage = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in QueryPagesAsync(filter, select, maxPerPage, cancellationToken))
        {
            foreach (var entity in page.Entities)
            {
                yield return entity;
            }
        }
    }

    /// <summary>The pages of a query, each with the continuation the service returned.</summary>
    public async IAsyncEnumerable<TablePage> QueryPagesAsync(
        string? filter = null,
        IReadOnlyCollection<string>? select = null,
        int? maxPerPage = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (maxPerPage is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerPage), maxPerPage, "Must be between 1 and 1000.");
        }

        string? nextPartitionKey = null, nextRowKey = null;
        do
        {
            var page = await QueryPageAsync(filter, select, maxPerPage, nextPartitionKey, nextRowKey, cancellationToken);
            nextPartitionKey = page.NextPartitionKey;
            nextRowKey = page.NextRowKey;
            yield return page;
        }
        while (nextPartitionKey is not null);
    }

    /// <summary>One page of a query, starting at a continuation (nulls for the first page).</summary>
    public async Task<TablePage> QueryPageAsync(
        string? filter,
        IReadOnlyCollection<string>? select,
        int? maxPerPage,
        string? nextPartitionKey,
        string? nextRowKey,
        CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder();
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));

        if (!string.IsNullOrEmpty(filter))
        {
            Add("$filter", filter);
        }

        if (select is { Count: > 0 })
        {
            Add("$select", string.Join(',', select));
        }

        if (maxPerPage is { } top)
        {
            Add("$top", top.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Continuation tokens are opaque: send them back exactly as received.
        if (nextPartitionKey is not null)
        {
            Add("NextPartitionKey", nextPartitionKey);
        }

        if (nextRowKey is not null)
        {
            Add("NextRowKey", nextRowKey);
        }

        var response = await _service.SendAsync(new TableRequest(HttpMethod.Get, Name + "()" + query), Describe("query"), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw response.ToException(Describe("query"));
        }

        var entities = new List<TableEntity>();
        using (var doc = JsonDocument.Parse(response.Body))
        {
            if (doc.RootElement.TryGetProperty("value", out var values))
            {
                foreach (var item in values.EnumerateArray())
                {
                    entities.Add(EdmValues.Read(item, etagHeader: null));
                }
            }
        }

        return new TablePage(entities, response.Header(TableHeaders.NextPartitionKey), response.Header(TableHeaders.NextRowKey));
    }

    /// <summary>
    /// Commits up to 100 actions on one partition atomically (<c>$batch</c> with one changeset). Validated
    /// before sending: 1–100 actions, one PartitionKey, each entity at most once, valid keys, ≤ 4 MiB.
    /// On failure nothing is written and <see cref="TableTransactionFailedException"/> says which action
    /// failed (<see cref="TableTransactionFailedException.FailedActionIndex"/>) with which status: a 412 on
    /// an ETag-guarded update is distinguishable from a 409 on an insert.
    /// </summary>
    public async Task<IReadOnlyList<TableTransactionResult>> SubmitTransactionAsync(
        IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ValidateTransaction(actions);
        var batchBoundary = "batch_" + Guid.NewGuid().ToString("D");
        var changesetBoundary = "changeset_" + Guid.NewGuid().ToString("D");
        var body = TableBatch.BuildBody(_service.EndpointText, Name, actions, batchBoundary, changesetBoundary);
        if (body.Length > TableBatch.MaxPayloadBytes)
        {
            throw new ArgumentException($"The transaction is {body.Length} bytes; Table Storage accepts at most 4 MiB.", nameof(actions));
        }

        var response = await _service.SendAsync(
            new TableRequest(HttpMethod.Post, "$batch")
            {
                Body = body,
                BodyContentType = "multipart/mixed; boundary=" + batchBoundary,
                Accept = TableHeaders.JsonMinimalMetadata,
            },
            Describe("transaction"),
            cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw response.ToException(Describe("transaction"));
        }

        var parts = TableBatch.ParseResponse(response.ContentType ?? string.Empty, response.BodyText);
        var failed = parts.FirstOrDefault(p => (int)p.StatusCode >= 400);
        if (failed is not null)
        {
            var index = TableBatch.FailedIndex(failed, actions.Count);
            var (code, message) = TableBatch.ParseError(failed.Body);
            var what = index is { } i ? $"transaction (action {i}: {actions[i].ActionType} {actions[i].Entity.RowKey})" : "transaction";
            throw new TableTransactionFailedException(
                TableResponse.Describe(Describe(what), failed.StatusCode, code, message), failed.StatusCode, code, index);
        }

        if (parts.Count != actions.Count)
        {
            throw new TableStorageException(
                $"Table Storage {Describe("transaction")} answered {parts.Count} results for {actions.Count} actions.");
        }

        return parts.Select((p, i) => new TableTransactionResult(i, p.StatusCode, p.Header(TableHeaders.ETag))).ToList();
    }

    /// <summary>The URL path of one entity: <c>table(PartitionKey='a%27%27b',RowKey='…')</c> (quotes doubled, then percent-encoded).</summary>
    internal static string EntityPath(string table, string partitionKey, string rowKey) =>
        $"{table}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    internal static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static void ValidateTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        }

        if (actions.Count > TableBatch.MaxActions)
        {
            throw new ArgumentException($"A transaction has at most {TableBatch.MaxActions} actions; this one has {actions.Count}.", nameof(actions));
        }

        var partitionKey = actions[0].Entity?.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i] ?? throw new ArgumentException($"Action {i} is null.", nameof(actions));
            var entity = action.Entity ?? throw new ArgumentException($"Action {i} has no entity.", nameof(actions));
            TableNames.ValidateKeys(entity.PartitionKey, entity.RowKey);
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"All actions of a transaction must share one PartitionKey; action {i} has a different one.", nameof(actions));
            }

            if (!seen.Add(entity.RowKey))
            {
                throw new ArgumentException($"Action {i} touches RowKey '{entity.RowKey}' again; an entity may appear once per transaction.", nameof(actions));
            }

            if (action.ETag is { Length: 0 })
            {
                throw new ArgumentException($"Action {i} has an empty ETag; use null or \"*\" for any version.", nameof(actions));
            }
        }
    }

    private static HttpMethod MethodFor(TableUpdateMode mode) => mode == TableUpdateMode.Replace ? HttpMethod.Put : Merge;

    private static readonly HttpMethod Merge = new("MERGE");

    private static string RequireETag(TableResponse response, string operation, params HttpStatusCode[] expected)
    {
        if (!expected.Contains(response.StatusCode))
        {
            throw response.ToException(operation);
        }

        return response.ETag ?? throw new TableStorageException($"Table Storage {operation} succeeded without an ETag.");
    }

    private string Describe(string operation) => $"{operation} on table '{Name}'";
}
