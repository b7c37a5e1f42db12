namespace Payments.Providers.Twisto;

// PSP API v4 (checkouts, charges, refunds). The rules every Twisto record follows are in TwistoWire.cs.

/// <summary>Body of <c>POST /psp/v4/checkouts</c> (CheckoutCreate) and the checkout object's shared part.</summary>
public sealed record TwistoCheckoutRequest
{
    /// <summary><c>standard</c> (Twisto Pay, the default) or <c>pay-in-three</c>.</summary>
    public string? Type { get; init; }

    public TwistoCheckoutConfig? Config { get; init; }
    public TwistoShopper? Shopper { get; init; }
    public TwistoCheckoutOrder? Order { get; init; }

    /// <summary>The merchant's registered reference (required).</summary>
    public string? MerchantReference { get; init; }
}

/// <summary><c>config</c>: <c>redirect_uri</c> (required, at most 1000 characters) is where Twisto sends the shopper back.</summary>
public sealed record TwistoCheckoutConfig
{
    public string? RedirectUri { get; init; }
}

/// <summary><c>shopper</c>: e-mail required; names at most 40, phone 20, personal id 11 characters.</summary>
public sealed record TwistoShopper
{
    public string? FirstName { get; init; }
    public string? MiddleName { get; init; }

    /// <summary>Last name; the first last name in Spain.</summary>
    public string? LastName { get; init; }

    /// <summary>Second last name, Spain only.</summary>
    public string? LastName2 { get; init; }

    public string? Phone { get; init; }

    /// <summary>YYYY-MM-DD.</summary>
    public string? BirthDate { get; init; }

    public TwistoBillingAddress? BillingAddress { get; init; }
    public TwistoShopperStatistics? Statistics { get; init; }

    /// <summary>Unique personal identifier (at most 11 characters).</summary>
    public string? PersonalId { get; init; }

    public string? Email { get; init; }
}

/// <summary><c>shopper.billing_address</c>; <c>country</c> is two letters.</summary>
public sealed record TwistoBillingAddress
{
    public string? Line1 { get; init; }
    public string? Line2 { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? PostalCode { get; init; }
    public string? Country { get; init; }
}

/// <summary><c>shopper.statistics</c>: the shop's history with this shopper, for Twisto's scoring.</summary>
public sealed record TwistoShopperStatistics
{
    public string? AccountCreated { get; init; }
    public string? LastLogin { get; init; }
    public int? SalesTotalCount { get; init; }
    public string? SalesTotalAmount { get; init; }
    public string? SalesAvgAmount { get; init; }
    public string? SalesMaxAmount { get; init; }
    public string? RefundsTotalAmount { get; init; }
    public string? Currency { get; init; }
    public bool? HasPreviousPurchases { get; init; }
    public bool? PreviousChargeback { get; init; }
    public string? FraudCheckResult { get; init; }
}

/// <summary><c>order</c>: amount and currency required; <c>reference</c> (at most 200) is used in settlement.</summary>
public sealed record TwistoCheckoutOrder
{
    public string? Reference { get; init; }
    public string? Amount { get; init; }
    public string? Currency { get; init; }
    public IReadOnlyList<TwistoCheckoutItem>? Items { get; init; }
}

/// <summary><c>order.items[]</c>: <c>type</c> is <c>sku</c>, <c>tax</c>, <c>shipping</c>, <c>discount</c> or <c>store_credit</c>.</summary>
public sealed record TwistoCheckoutItem
{
    public string? Name { get; init; }
    public string? Amount { get; init; }
    public int? Quantity { get; init; }
    public string? Reference { get; init; }
    public string? Type { get; init; }
}

/// <summary>
/// The checkout object (CheckoutRetrieve, CheckoutCreate's answer, CheckoutCancel): <c>id</c> and <c>uri</c> are
/// required; <c>state</c> is created | approved | completed | cancelled | error.
/// </summary>
public sealed record TwistoCheckout
{
    public string? Id { get; init; }

    /// <summary>The Twisto gateway page to send the shopper to.</summary>
    public string? Uri { get; init; }

    /// <summary>
    /// Not in the checkout schema. The merchant guide says the create answer holds "a redirect url"; the schema's
    /// only URL is <c>uri</c>. Read as a fallback so that either spelling works.
    /// </summary>
    public string? RedirectUrl { get; init; }

    public string? Type { get; init; }
    public TwistoCheckoutConfig? Config { get; init; }
    public string? Created { get; init; }
    public string? Settled { get; init; }
    public string? State { get; init; }
    public TwistoShopper? Shopper { get; init; }
    public TwistoCheckoutOrder? Order { get; init; }
    public string? MerchantReference { get; init; }
}

/// <summary>Body of <c>POST /psp/v4/charges</c> (ChargeCreate): only for accounts without Immediate Capture.</summary>
public sealed record TwistoChargeRequest
{
    public TwistoChargeAuthority? Authority { get; init; }

    /// <summary>At most 140 characters.</summary>
    public string? Reference { get; init; }

    /// <summary>"Currently only the full amount is supported."</summary>
    public string? Amount { get; init; }

    public string? Currency { get; init; }
    public bool? Capture { get; init; }
    public TwistoChargeOrder? Order { get; init; }
}

/// <summary><c>authority</c>: <c>{"type": "checkout_id", "value": "…"}</c>.</summary>
public sealed record TwistoChargeAuthority
{
    public const string CheckoutIdType = "checkout_id";

    public string? Type { get; init; }
    public string? Value { get; init; }
}

/// <summary><c>order.reference</c> (required, at most 200).</summary>
public sealed record TwistoChargeOrder
{
    public string? Reference { get; init; }
}

/// <summary>The charge object: <c>state</c> is rejected | authorised | captured | cancelled | refunded | error.</summary>
public sealed record TwistoCharge
{
    public string? Id { get; init; }
    public string? Reference { get; init; }
    public string? Amount { get; init; }
    public string? Currency { get; init; }
    public string? CapturedAmount { get; init; }
    public string? RefundedAmount { get; init; }
    public string? CreatedDate { get; init; }
    public string? ReceiptNumber { get; init; }

    /// <summary>"TwistoPay" or "in three".</summary>
    public string? Product { get; init; }

    public string? State { get; init; }
}

/// <summary>Body of <c>POST /psp/v4/refunds</c> (RefundCreate): after capture; partial and repeated refunds allowed.</summary>
public sealed record TwistoRefundRequest
{
    /// <summary>Required, at most 255 characters.</summary>
    public string? CheckoutId { get; init; }

    /// <summary>At most 140 characters.</summary>
    public string? Reference { get; init; }

    /// <summary>At most 255 characters.</summary>
    public string? Reason { get; init; }

    public string? Amount { get; init; }
}

/// <summary>The refund object.</summary>
public sealed record TwistoRefund
{
    public string? Id { get; init; }
    public string? Reason { get; init; }
    public string? Amount { get; init; }
    public string? CreatedDate { get; init; }
    public string? Reference { get; init; }
    public string? CheckoutId { get; init; }
}
