using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

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
