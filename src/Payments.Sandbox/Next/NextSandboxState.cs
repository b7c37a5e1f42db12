using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Payments.Sandbox.Next;

/// <summary>
/// The simulated NEXT store: open TWINT payment sessions and the orders they became. In memory, thread-safe;
/// an order's JSON is only touched under its own lock.
/// </summary>
public sealed class NextSandboxState(TimeProvider clock)
{
    private readonly Func<long> _orderNumbers = SandboxNumbers.Next;

    /// <summary>
    /// A state that takes its order numbers from <paramref name="orderNumbers"/> instead of <see cref="SandboxNumbers"/>
    /// (tests: the old sequence from 100001, which every restart handed out again).
    /// </summary>
    public NextSandboxState(TimeProvider clock, Func<long> orderNumbers)
        : this(clock)
    {
        ArgumentNullException.ThrowIfNull(orderNumbers);
        _orderNumbers = orderNumbers;
    }

    /// <summary>A TWINT payment session stays open this long, as at NEXT.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, NextSandboxSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NextSandboxOrder> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, NextSandboxSubscription> _subscriptions = new();
    private int _addLineItemsCalls;
    private int _renewCalls;

    public TimeProvider Clock => clock;

    public NextSandboxSession OpenSession(JsonObject request, IReadOnlyList<SandboxLine> lines, long shippingMinor, string currency, string returnUrl)
    {
        var session = new NextSandboxSession(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            request, lines, shippingMinor, currency, returnUrl, clock.GetUtcNow() + SessionLifetime);
        _sessions[session.Id] = session;
        return session;
    }

    public NextSandboxSession? FindSession(string id) =>
        _sessions.TryGetValue(id, out var s) && s.ExpiresAt > clock.GetUtcNow() ? s : null;

    /// <summary>Takes the session out, so that each payment page is decided once.</summary>
    public NextSandboxSession? CloseSession(string id) =>
        _sessions.TryRemove(id, out var s) && s.ExpiresAt > clock.GetUtcNow() ? s : null;

    public NextSandboxOrder? FindOrder(string number) => _orders.TryGetValue(number, out var o) ? o : null;

    public NextSandboxSubscription? FindSubscription(long id) => _subscriptions.TryGetValue(id, out var s) ? s : null;

    /// <summary>How many add-line-items calls reached the sandbox (tests: "called once").</summary>
    public int AddLineItemsCalls => Volatile.Read(ref _addLineItemsCalls);

    /// <summary>How many subscription renew calls reached the sandbox.</summary>
    public int RenewCalls => Volatile.Read(ref _renewCalls);

    internal void CountAddLineItems() => Interlocked.Increment(ref _addLineItemsCalls);

    private int _refundCalls;

    /// <summary>How many refunds the sandbox carried out (tests: "refunded once").</summary>
    public int RefundCalls => Volatile.Read(ref _refundCalls);

    internal void CountRefund() => Interlocked.Increment(ref _refundCalls);

    /// <summary>
    /// Renews a subscription as NEXT documents it ("trigger a subscription renewal order"): an active subscription gets a
    /// new paid order for its lines and the next billing cycle; one that is past_due or retrying gets none (its payment
    /// method is declined); a canceled one is refused (null).
    /// </summary>
    public NextSandboxSubscription? Renew(NextSandboxSubscription subscription)
    {
        Interlocked.Increment(ref _renewCalls);
        lock (subscription.Lock)
        {
            if (subscription.Status == "canceled")
            {
                return null;
            }

            if (subscription.Status == "active")
            {
                var cycle = subscription.Orders.Max(o => o.BillingCycle) + 1;
                var order = NewOrder(subscription.Lines, subscription.ShippingMinor, subscription.Currency, subscription.Metadata, "paid",
                    new JsonObject { ["id"] = subscription.Id, ["billing_cycle"] = cycle });
                subscription.Orders.Add((cycle, order.Number));
            }

            return subscription;
        }
    }

    /// <summary>Turns a decided session into a NEXT order with the given payment status (and, when paid with subscription lines, a subscription).</summary>
    public NextSandboxOrder CreateOrder(NextSandboxSession session, string paymentStatus)
    {
        var subscriptionLines = session.Lines.Where(l => l.Subscription is not null).ToList();
        NextSandboxSubscription? subscription = null;
        if (paymentStatus == "paid" && subscriptionLines.Count > 0)
        {
            subscription = new NextSandboxSubscription(NextId(), subscriptionLines, session.ShippingMinor, session.Currency,
                session.Request["metadata"]?.DeepClone() as JsonObject ?? new JsonObject());
        }

        var order = NewOrder(session.Lines, session.ShippingMinor, session.Currency, session.Request["metadata"]?.DeepClone() as JsonObject ?? new JsonObject(),
            paymentStatus, subscription is null ? null : new JsonObject { ["id"] = subscription.Id, ["billing_cycle"] = 1 }, session.Request);
        if (subscription is not null)
        {
            subscription.Orders.Add((1, order.Number));
            _subscriptions[subscription.Id] = subscription;
        }

        return order;
    }

    private NextSandboxOrder NewOrder(IReadOnlyList<SandboxLine> lines, long shippingMinor, string currency, JsonObject metadata, string paymentStatus,
        JsonObject? subscription, JsonObject? request = null)
    {
        // Numeric, as NEXT's order numbers, and never one handed out before a restart (see SandboxNumbers).
        var number = _orderNumbers().ToString(CultureInfo.InvariantCulture);
        var now = Timestamp();
        var order = new JsonObject
        {
            ["number"] = number,
            ["status"] = "open",
            ["payment_status"] = paymentStatus,
            ["fulfillment_status"] = "unfulfilled",
            ["currency"] = currency,
            ["is_test"] = true,
            ["source"] = "admin_api",
            ["created_at"] = now,
            ["updated_at"] = now,
            ["date_placed"] = now,
            ["order_status_url"] = null,
            ["metadata"] = metadata,
            ["user"] = request?["user"]?.DeepClone(),
            ["shipping_address"] = request?["shipping_address"]?.DeepClone(),
            ["billing_address"] = request?["billing_same_as_shipping_address"]?.GetValue<bool>() == true
                ? request["shipping_address"]?.DeepClone()
                : request?["billing_address"]?.DeepClone(),
            ["shipping_code"] = request?["shipping_code"]?.GetValue<string>() ?? "default",
            ["shipping_method"] = "Sandbox shipping",
            ["shipping_incl_tax"] = Money(shippingMinor),
            ["shipping_excl_tax"] = Money(shippingMinor),
            ["total_tax"] = "0.00",
            ["lines"] = new JsonArray(),
            ["transactions"] = new JsonArray(),
            ["subscriptions"] = subscription is null ? new JsonArray() : new JsonArray(subscription),
            ["refunds"] = new JsonArray(),
            ["tags"] = new JsonArray(),
        };
        var sandboxOrder = new NextSandboxOrder(number, order, shippingMinor);
        sandboxOrder.AddLines(lines, isUpsell: false, this);
        if (paymentStatus == "paid")
        {
            sandboxOrder.AddTransaction(sandboxOrder.TotalMinor, "succeeded", this);
        }

        _orders[number] = sandboxOrder;
        return sandboxOrder;
    }

    /// <summary>Line, transaction, refund and subscription ids: numeric, and never repeated after a restart either.</summary>
    internal static long NextId() => SandboxNumbers.Next();

    internal string Timestamp() => clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    /// <summary>NEXT decimals: two places, "." separator.</summary>
    public static string Money(long minor) =>
        (minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}

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

/// <summary>An open TWINT payment: what ordersCreate asked for, until the shopper decides.</summary>
public sealed record NextSandboxSession(
    string Id,
    JsonObject Request,
    IReadOnlyList<SandboxLine> Lines,
    long ShippingMinor,
    string Currency,
    string ReturnUrl,
    DateTimeOffset ExpiresAt)
{
    public long TotalMinor => Lines.Sum(l => l.PriceMinor * l.Quantity) + ShippingMinor;
}

/// <summary>A validated order line: product id, quantity, unit price in minor units.</summary>
public sealed record SandboxLine(long ProductId, int Quantity, long PriceMinor, JsonObject? Subscription);

/// <summary>A simulated NEXT order; every read or change of its JSON holds its lock.</summary>
public sealed class NextSandboxOrder(string number, JsonObject json, long shippingMinor)
{
    private readonly Lock _lock = new();
    private long _linesMinor;

    public string Number => number;

    public long TotalMinor
    {
        get
        {
            lock (_lock)
            {
                return _linesMinor + shippingMinor;
            }
        }
    }

    public string PaymentStatus
    {
        get
        {
            lock (_lock)
            {
                return json["payment_status"]!.GetValue<string>();
            }
        }
    }

    public string ToJson()
    {
        lock (_lock)
        {
            return json.ToJsonString();
        }
    }

    public void SetPaymentStatus(string paymentStatus, NextSandboxState state)
    {
        lock (_lock)
        {
            json["payment_status"] = paymentStatus;
            json["updated_at"] = state.Timestamp();
        }
    }

    public void AddLines(IEnumerable<SandboxLine> lines, bool isUpsell, NextSandboxState state)
    {
        lock (_lock)
        {
            var array = (JsonArray)json["lines"]!;
            foreach (var line in lines)
            {
                var id = NextSandboxState.NextId();
                array.Add(new JsonObject
                {
                    ["id"] = id,
                    ["product_id"] = line.ProductId,
                    ["variant_id"] = line.ProductId,
                    ["sku"] = $"SANDBOX-{line.ProductId.ToString(CultureInfo.InvariantCulture)}",
                    ["product_title"] = $"Sandbox product {line.ProductId.ToString(CultureInfo.InvariantCulture)}",
                    ["quantity"] = line.Quantity,
                    ["current_quantity"] = line.Quantity,
                    ["price_incl_tax"] = NextSandboxState.Money(line.PriceMinor),
                    ["price_excl_tax"] = NextSandboxState.Money(line.PriceMinor),
                    ["currency"] = json["currency"]?.GetValue<string>(),
                    ["is_upsell"] = isUpsell,
                    ["metadata"] = new JsonObject(),
                });
                _linesMinor += line.PriceMinor * line.Quantity;
            }

            UpdateTotals(state);
        }
    }

    public void AddTransaction(long amountMinor, string status, NextSandboxState state)
    {
        lock (_lock)
        {
            ((JsonArray)json["transactions"]!).Add(new JsonObject
            {
                ["id"] = NextSandboxState.NextId(),
                ["amount"] = NextSandboxState.Money(amountMinor),
                ["currency"] = json["currency"]?.GetValue<string>(),
                ["status"] = status,
                ["type"] = "debit",
                ["payment_method"] = "twint",
                ["response_code"] = status == "succeeded" ? 100 : 200,
                ["is_test"] = true,
                ["is_external"] = false,
                ["is_disputed"] = false,
                ["date_created"] = state.Timestamp(),
            });
            json["updated_at"] = state.Timestamp();
        }
    }

    /// <summary>
    /// Refunds parts of succeeded debit transactions, as NEXT's ordersRefundCreate: only a paid or partially_refunded
    /// order, each part naming a succeeded debit of this order and not more than is left of it. Returns the error
    /// (DRF style) or the Refund JSON; payment_status becomes refunded or partially_refunded.
    /// </summary>
    public (JsonObject? Refund, JsonObject? Error) Refund(IReadOnlyList<(long Id, long AmountMinor)> parts, string? note, NextSandboxState state)
    {
        lock (_lock)
        {
            var status = json["payment_status"]!.GetValue<string>();
            if (status is not ("paid" or "partially_refunded"))
            {
                return (null, new JsonObject { ["detail"] = $"Order with payment status {status} cannot be refunded." });
            }

            var transactions = (JsonArray)json["transactions"]!;
            long Refunded(long debitId) => transactions.OfType<JsonObject>()
                .Where(t => t["type"]?.GetValue<string>() == "refund" && t["parent_id"]?.GetValue<long>() == debitId)
                .Sum(t => Minor(t["amount"]!.GetValue<string>()));
            var wanted = new Dictionary<long, long>();
            foreach (var (id, amount) in parts)
            {
                var debit = transactions.OfType<JsonObject>().FirstOrDefault(t => t["id"]?.GetValue<long>() == id
                    && t["type"]?.GetValue<string>() == "debit" && t["status"]?.GetValue<string>() == "succeeded");
                if (debit is null)
                {
                    return (null, new JsonObject { ["transactions"] = new JsonArray($"Transaction {id} is not a refundable payment of this order.") });
                }

                wanted[id] = wanted.GetValueOrDefault(id) + amount;
                if (amount <= 0 || wanted[id] > Minor(debit["amount"]!.GetValue<string>()) - Refunded(id))
                {
                    return (null, new JsonObject { ["transactions"] = new JsonArray($"Refund amount for transaction {id} exceeds the amount available for refund.") });
                }
            }

            var refundTransactions = new JsonArray();
            foreach (var (id, amount) in parts)
            {
                var refund = new JsonObject
                {
                    ["id"] = NextSandboxState.NextId(),
                    ["amount"] = NextSandboxState.Money(amount),
                    ["currency"] = json["currency"]?.GetValue<string>(),
                    ["status"] = "succeeded",
                    ["type"] = "refund",
                    ["parent_id"] = id,
                    ["payment_method"] = "twint",
                    ["response_code"] = 100,
                    ["is_test"] = true,
                    ["date_created"] = state.Timestamp(),
                };
                transactions.Add(refund);
                refundTransactions.Add(refund.DeepClone());
            }

            var paid = transactions.OfType<JsonObject>().Where(t => t["type"]?.GetValue<string>() == "debit" && t["status"]?.GetValue<string>() == "succeeded")
                .Sum(t => Minor(t["amount"]!.GetValue<string>()));
            var refunded = transactions.OfType<JsonObject>().Where(t => t["type"]?.GetValue<string>() == "refund" && t["status"]?.GetValue<string>() == "succeeded")
                .Sum(t => Minor(t["amount"]!.GetValue<string>()));
            json["payment_status"] = refunded >= paid ? "refunded" : "partially_refunded";
            json["updated_at"] = state.Timestamp();
            var total = parts.Sum(p => p.AmountMinor);
            return (new JsonObject
            {
                ["id"] = NextSandboxState.NextId(),
                ["note"] = note,
                ["transactions"] = refundTransactions,
                ["report_values"] = new JsonObject
                {
                    ["currency"] = json["currency"]?.GetValue<string>(),
                    ["total_refund_amount"] = NextSandboxState.Money(total),
                },
            }, null);
        }
    }

    /// <summary>
    /// Cancels the order, as NEXT's ordersCancelCreate: only while nothing was paid (pending) or only authorized; the
    /// payment_status becomes voided. Returns the error or null.
    /// </summary>
    public JsonObject? Cancel(string reason, NextSandboxState state)
    {
        lock (_lock)
        {
            var status = json["payment_status"]!.GetValue<string>();
            if (status is not ("pending" or "authorized"))
            {
                return new JsonObject { ["detail"] = $"Order with payment status {status} cannot be canceled." };
            }

            json["payment_status"] = "voided";
            json["status"] = "canceled";
            json["cancel_reason"] = reason;
            json["updated_at"] = state.Timestamp();
            return null;
        }
    }

    private static long Minor(string amount) =>
        (long)Math.Round(decimal.Parse(amount, NumberStyles.Number, CultureInfo.InvariantCulture) * 100m);

    private void UpdateTotals(NextSandboxState state)
    {
        var total = NextSandboxState.Money(_linesMinor + shippingMinor);
        json["total_incl_tax"] = total;
        json["total_excl_tax"] = total;
        json["updated_at"] = state.Timestamp();
    }
}
