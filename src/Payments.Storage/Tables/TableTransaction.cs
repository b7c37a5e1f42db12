using System.Net;

namespace Payments.Storage.Tables;

public enum TableUpdateMode
{
    /// <summary>Only the given properties change; others stay (HTTP MERGE).</summary>
    Merge,

    /// <summary>The entity becomes exactly the given properties (HTTP PUT).</summary>
    Replace,
}

public enum TableTransactionActionType
{
    /// <summary>Insert; fails with 409 when the entity exists.</summary>
    Add,

    /// <summary>Merge into an existing entity, guarded by If-Match (ETag, or "*" for any version); 404 when missing.</summary>
    UpdateMerge,

    /// <summary>Replace an existing entity, guarded by If-Match (ETag, or "*" for any version); 404 when missing.</summary>
    UpdateReplace,

    /// <summary>Delete, guarded by If-Match (ETag, or "*").</summary>
    Delete,

    /// <summary>Insert or merge, unconditionally.</summary>
    UpsertMerge,

    /// <summary>Insert or replace, unconditionally.</summary>
    UpsertReplace,
}

/// <summary>One operation of an entity-group transaction. <see cref="ETag"/> is the If-Match of updates and deletes ("*" when null).</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, string? ETag = null)
{
    public static TableTransactionAction Add(TableEntity entity) => new(TableTransactionActionType.Add, entity);

    public static TableTransactionAction UpdateReplace(TableEntity entity, string etag) => new(TableTransactionActionType.UpdateReplace, entity, etag);

    public static TableTransactionAction UpdateMerge(TableEntity entity, string etag) => new(TableTransactionActionType.UpdateMerge, entity, etag);

    public static TableTransactionAction UpsertReplace(TableEntity entity) => new(TableTransactionActionType.UpsertReplace, entity);

    public static TableTransactionAction UpsertMerge(TableEntity entity) => new(TableTransactionActionType.UpsertMerge, entity);

    public static TableTransactionAction Delete(string partitionKey, string rowKey, string etag = "*") =>
        new(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), etag);
}

/// <summary>The outcome of one action of a committed transaction: its status and the entity's new ETag (none for deletes).</summary>
public sealed record TableTransactionResult(int Index, HttpStatusCode StatusCode, string? ETag);

/// <summary>One page of a query and the continuation to the next (both null on the last page).</summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Entities, string? NextPartitionKey, string? NextRowKey)
{
    public bool HasMore => NextPartitionKey is not null;
}
