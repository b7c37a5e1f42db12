namespace Payments.Storage.Orders;

/// <summary>Table names of the order store (configurable so tests can use fresh tables).</summary>
public sealed class OrderStorageOptions
{
    /// <summary>Order rows and their outbox rows, partitioned by order id.</summary>
    public string OrdersTable { get; set; } = "orders";

    /// <summary>Idempotency keys and provider references (insert-only).</summary>
    public string LookupsTable { get; set; } = "orderlookups";

    /// <summary>One row per (event, storefront endpoint): delivered, being delivered, or failed for good.</summary>
    public string WebhookDeliveriesTable { get; set; } = "webhookdeliveries";
}
