namespace Payments.Providers.Twisto;

// Universal API v2 (deprecated: orders and their refunds). The rules every Twisto record follows are in TwistoWire.cs.

/// <summary>Body of <c>POST /psp/v2/order/</c> (orderCreate, seed 001).</summary>
public sealed record TwistoOrderRequest
{
    /// <summary><c>twisto-pay</c> or <c>pay-in-three</c>.</summary>
    public string? Service { get; init; }

    /// <summary>Required, at most 36 characters: our order id ("ord_" + 32 hex digits, exactly 36).</summary>
    public string? OrderExternalId { get; init; }

    /// <summary>At most 140 characters; the bank transfer reference, random when left out.</summary>
    public string? PaymentIdentifier { get; init; }

    /// <summary>Required: where the shopper is sent within 5 seconds of Twisto's decision.</summary>
    public string? ReturnUrl { get; init; }

    public TwistoOrderData? OrderData { get; init; }
    public IReadOnlyList<TwistoTransactionHistoryEntry>? TransactionHistory { get; init; }
    public TwistoCustomerData? CustomerData { get; init; }
    public IReadOnlyList<TwistoOrderItem>? Items { get; init; }
}

/// <summary><c>order_data</c>: <c>{eshop_external_id, amount}</c>.</summary>
public sealed record TwistoOrderData
{
    public string? EshopExternalId { get; init; }
    public string? Amount { get; init; }
}

/// <summary><c>transaction_history[]</c>: the shopper's earlier transactions, for scoring.</summary>
public sealed record TwistoTransactionHistoryEntry
{
    /// <summary>YYYY-MM-DD.</summary>
    public string? Date { get; init; }

    public string? TransactionId { get; init; }

    /// <summary>At most 36 characters.</summary>
    public string? EshopExternalId { get; init; }

    public string? Amount { get; init; }
    public int? Mcc { get; init; }
    public bool? IsCanceled { get; init; }

    /// <summary><c>wire_transfer</c>, <c>card</c>, <c>cod</c> or <c>other</c>.</summary>
    public string? PaymentType { get; init; }
}

/// <summary><c>customer_data</c> (required). The seed documents no lengths except the two-letter country.</summary>
public sealed record TwistoCustomerData
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? PhoneNumber { get; init; }
    public string? StreetName { get; init; }
    public string? StreetNumber { get; init; }
    public string? ApartmentNumber { get; init; }
    public string? City { get; init; }
    public string? Zipcode { get; init; }
    public string? Country { get; init; }
    public string? PersonalId { get; init; }
}

/// <summary><c>items[]</c>: <c>type</c> is goods | shipment | payment | discount | round (the same words as ours).</summary>
public sealed record TwistoOrderItem
{
    /// <summary>At most 255 characters.</summary>
    public string? Name { get; init; }

    /// <summary>At most 255 characters.</summary>
    public string? ProductId { get; init; }

    public int? Quantity { get; init; }

    /// <summary>"Price of a (single?) item" (Twisto's own question mark): we send the unit price.</summary>
    public string? Amount { get; init; }

    /// <summary>Pattern <c>^-?\d{0,2}(?:\.\d{0,2})?$</c>: a rate in percent.</summary>
    public string? Vat { get; init; }

    public string? Type { get; init; }
}

/// <summary>
/// The v2 order (orderCreate's answer; the list's items): <c>status</c> is new | data_completed | checking |
/// rejected | accepted | canceled | activated | refunded | error. No currency: the e-shop's is implied.
/// </summary>
public sealed record TwistoOrder
{
    public string? Id { get; init; }

    /// <summary>Our <c>order_external_id</c>, echoed.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Twisto's page for the shopper (the merchant's own URL is <c>return_url</c>).</summary>
    public string? RedirectUrl { get; init; }

    public string? InitialAmount { get; init; }
    public string? CurrentAmount { get; init; }
    public string? RefundAmount { get; init; }
    public string? DateSettled { get; init; }
    public string? Status { get; init; }
    public string? Service { get; init; }
}

/// <summary>
/// Body of <c>POST /psp/v2/order/{id}/refund</c>. Not documented in any copy we could read; inferred from the
/// refund list's items (<c>amount</c>, <c>external_id</c>): the amount, and our refund id as external id.
/// </summary>
public sealed record TwistoOrderRefundRequest
{
    public string? Amount { get; init; }
    public string? ExternalId { get; init; }
}

/// <summary>The v2 refund list item (<c>GET /psp/v2/orderrefund/</c>), also read from a refund's answer when it has one.</summary>
public sealed record TwistoOrderRefund
{
    public string? Id { get; init; }
    public string? Amount { get; init; }
    public string? ExternalId { get; init; }
    public string? PaymentIdentifier { get; init; }
}
