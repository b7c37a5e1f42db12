namespace Payments.Sandbox.Next;

/// <summary>A simulated NEXT subscription: its lines and the order of each billing cycle. Changed only under <see cref="Lock"/>.</summary>
public sealed class NextSandboxSubscription(long id, IReadOnlyList<SandboxLine> lines, long shippingMinor, string currency, JsonObject metadata)
{
    public Lock Lock { get; } = new();

    public long Id => id;

    public IReadOnlyList<SandboxLine> Lines => lines;

    public long ShippingMinor => shippingMinor;

    public string Currency => currency;

    public JsonObject Metadata => (JsonObject)metadata.DeepClone();

    /// <summary>active | past_due | canceled | retrying | paused.</summary>
    public string Status { get; set; } = "active";

    public List<(int BillingCycle, string OrderNumber)> Orders { get; } = [];

    /// <summary>The SubscriptionDetail JSON (the fields the service reads, and a few more).</summary>
    public string ToJson()
    {
        lock (Lock)
        {
            var total = lines.Sum(l => l.PriceMinor * l.Quantity) + shippingMinor;
            var first = lines.First(l => l.Subscription is not null).Subscription!;
            return new JsonObject
            {
                ["id"] = id,
                ["status"] = Status,
                ["currency"] = currency,
                ["interval"] = first["interval"]?.DeepClone(),
                ["interval_count"] = first["interval_count"]?.DeepClone(),
                ["total"] = NextSandboxState.Money(total),
                ["shipping_price"] = NextSandboxState.Money(shippingMinor),
                ["next_renewal_date"] = null,
                ["num_orders"] = Orders.Count,
                ["orders"] = new JsonArray([.. Orders.Select(o => (JsonNode)new JsonObject { ["billing_cycle"] = o.BillingCycle, ["order_number"] = o.OrderNumber })]),
                ["lines"] = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject
                {
                    ["product_id"] = l.ProductId,
                    ["quantity"] = l.Quantity,
                    ["price"] = NextSandboxState.Money(l.PriceMinor),
                })]),
            }.ToJsonString();
        }
    }
}

