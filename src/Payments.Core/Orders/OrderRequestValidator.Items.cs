using System.Text.RegularExpressions;
using Payments.Core.Money;
using Payments.Core.Validation;

namespace Payments.Core.Orders;

/// <summary>The rules of order items, shared by create and charges: each line, and what the lines add up to.</summary>
public static partial class OrderRequestValidator
{
    private static List<OrderItem> ValidateItems(IReadOnlyList<OrderItemRequest?>? items, Currency? currency, Action<string, string, IssueKind> bad)
    {
        var result = new List<OrderItem>();
        if (items is null)
        {
            return result;
        }

        if (items.Count > MaxItems)
        {
            bad("items", $"must have at most {MaxItems} entries", IssueKind.Invalid);
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var path = $"items[{i}]";
            var item = items[i];
            if (item is null)
            {
                bad(path, "must be an object", IssueKind.Invalid);
                continue;
            }

            var ok = true;
            void ItemBad(string field, string message)
            {
                ok = false;
                bad($"{path}.{field}", message, IssueKind.Invalid);
            }

            if (CheckText(item.Name, MaxTextLength, required: true) is { } nameError)
            {
                ItemBad("name", nameError);
            }

            if (CheckText(item.Sku, MaxTextLength, required: false) is { } skuError)
            {
                ItemBad("sku", skuError);
            }

            if (item.Quantity is null)
            {
                ItemBad("quantity", "is required");
            }
            else if (item.Quantity is < 1 or > MaxItemQuantity)
            {
                ItemBad("quantity", $"must be between 1 and {MaxItemQuantity}");
            }

            var type = ItemType.Goods;
            if (item.Type is not null && !TryParseItemType(item.Type, out type))
            {
                ItemBad("type", "must be one of: goods, shipment, payment, discount, round");
            }

            long unitPrice = 0;
            if (item.UnitPrice is null)
            {
                ItemBad("unitPrice", "is required");
            }
            else if (currency is not null)
            {
                var allowNegative = type is ItemType.Discount or ItemType.Round;
                if (!Money.Money.TryParseMinor(item.UnitPrice, currency.Exponent, allowNegative, out unitPrice, out var priceError))
                {
                    ItemBad("unitPrice", allowNegative || !item.UnitPrice.StartsWith('-') ? priceError : "must not be negative except for discount and round items");
                }
            }

            if (item.VatRate is not null && !VatRate().IsMatch(item.VatRate))
            {
                ItemBad("vatRate", "must be a percentage between 0 and 99.99 with at most two decimals, such as \"8.1\"");
            }

            if (ok)
            {
                result.Add(new OrderItem(item.Name!, item.Sku, item.Quantity!.Value, unitPrice, item.VatRate, type));
            }
        }

        return result;
    }

    /// <summary>
    /// What the items add up to, or null (with an issue) when their charges, or their discounts, add up to more than
    /// <see cref="Money.Money.MaxMinor"/>. A line is at most 10^13 × 10^5 minor units, so nothing here overflows.
    /// </summary>
    private static long? ItemsTotal(List<OrderItem> items, int exponent, Action<string, string, IssueKind> bad)
    {
        long charges = 0;
        long discounts = 0;
        foreach (var item in items)
        {
            var line = item.UnitPriceMinor * item.Quantity;
            if (line >= 0)
            {
                charges += line;
            }
            else
            {
                discounts -= line;
            }

            if (charges > Money.Money.MaxMinor || discounts > Money.Money.MaxMinor)
            {
                bad("items", $"must add up to at most {Money.Money.FormatMinor(Money.Money.MaxMinor, exponent)} in charges, and in discounts", IssueKind.Invalid);
                return null;
            }
        }

        return charges - discounts;
    }

    private static bool TryParseItemType(string text, out ItemType type)
    {
        (var ok, type) = text switch
        {
            "goods" => (true, ItemType.Goods),
            "shipment" => (true, ItemType.Shipment),
            "payment" => (true, ItemType.Payment),
            "discount" => (true, ItemType.Discount),
            "round" => (true, ItemType.Round),
            _ => (false, ItemType.Goods),
        };
        return ok;
    }

    [GeneratedRegex(@"^(?:\d|[1-9]\d)(?:\.\d{1,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex VatRate();
}
