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
    /// <summary>A TWINT payment session stays open this long, as at NEXT.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, NextSandboxSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NextSandboxOrder> _orders = new(StringComparer.Ordinal);
    private int _lastNumber = 100_000;
    private long _lastId = 5_000;

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

    /// <summary>Turns a decided session into a NEXT order with the given payment status.</summary>
    public NextSandboxOrder CreateOrder(NextSandboxSession session, string paymentStatus)
    {
        var number = Interlocked.Increment(ref _lastNumber).ToString(CultureInfo.InvariantCulture);
        var now = Timestamp();
        var request = session.Request;
        var order = new JsonObject
        {
            ["number"] = number,
            ["status"] = "open",
            ["payment_status"] = paymentStatus,
            ["fulfillment_status"] = "unfulfilled",
            ["currency"] = session.Currency,
            ["is_test"] = true,
            ["source"] = "admin_api",
            ["created_at"] = now,
            ["updated_at"] = now,
            ["date_placed"] = now,
            ["order_status_url"] = null,
            ["metadata"] = request["metadata"]?.DeepClone() ?? new JsonObject(),
            ["user"] = request["user"]?.DeepClone(),
            ["shipping_address"] = request["shipping_address"]?.DeepClone(),
            ["billing_address"] = request["billing_same_as_shipping_address"]?.GetValue<bool>() == true
                ? request["shipping_address"]?.DeepClone()
                : request["billing_address"]?.DeepClone(),
            ["shipping_code"] = request["shipping_code"]?.GetValue<string>() ?? "default",
            ["shipping_method"] = "Sandbox shipping",
            ["shipping_incl_tax"] = Money(session.ShippingMinor),
            ["shipping_excl_tax"] = Money(session.ShippingMinor),
            ["total_tax"] = "0.00",
            ["lines"] = new JsonArray(),
            ["transactions"] = new JsonArray(),
            ["subscriptions"] = new JsonArray(),
            ["refunds"] = new JsonArray(),
            ["tags"] = new JsonArray(),
        };
        var sandboxOrder = new NextSandboxOrder(number, order, session.ShippingMinor);
        sandboxOrder.AddLines(session.Lines, isUpsell: false, this);
        if (paymentStatus == "paid")
        {
            sandboxOrder.AddTransaction(sandboxOrder.TotalMinor, "succeeded", this);
            if (session.Lines.Any(l => l.Subscription is not null))
            {
                ((JsonArray)order["subscriptions"]!).Add(new JsonObject { ["id"] = NextId(), ["billing_cycle"] = 1 });
            }
        }

        _orders[number] = sandboxOrder;
        return sandboxOrder;
    }

    internal long NextId() => Interlocked.Increment(ref _lastId);

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
                var id = state.NextId();
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
                ["id"] = state.NextId(),
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

    private void UpdateTotals(NextSandboxState state)
    {
        var total = NextSandboxState.Money(_linesMinor + shippingMinor);
        json["total_incl_tax"] = total;
        json["total_excl_tax"] = total;
        json["updated_at"] = state.Timestamp();
    }
}
