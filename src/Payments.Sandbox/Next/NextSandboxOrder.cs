using System.Globalization;

namespace Payments.Sandbox.Next;

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
