using System.Text.Json.Nodes;
using Payments.Core.Orders;

namespace Payments.Host.Api;

/// <summary>What the contract says about each operation, by endpoint name: its tag, summary and description, and the examples.</summary>
public static partial class OpenApiContract
{
    private static readonly Dictionary<string, (string Tag, string Summary, string Description)> Operations = new(StringComparer.Ordinal)
    {
        ["CreateOrder"] = ("Orders", "Open a payment",
            "201 with the order and its `redirectUrl` (send the shopper there). The same `Idempotency-Key` (default: `merchantReference`) "
            + "and body again: 200 with the same order; another body: 409 `idempotency-key-reused`. A provider that is down: 502/504, the order recorded as failed."),
        ["GetOrder"] = ("Orders", "Read an order", "Status, amounts, items, provider reference, history of transitions, refunds and charges."),
        ["CaptureOrder"] = ("Orders", "Capture an authorized order", "Twisto, Neuro-Pay. 409 `invalid-state` in any status but `authorized`."),
        ["RefundOrder"] = ("Orders", "Refund an order",
            "No amount: everything not yet refunded. 200 once the refund is settled; 202 while it is `requested` (it is never sent twice: "
            + "settled from the provider's records). 409 `refund-in-progress` with `Retry-After` while another refund of the order is being sent."),
        ["CancelOrder"] = ("Orders", "Cancel a pending or authorized order", "Where the provider can (NEXT, Twisto, Neuro-Pay)."),
        ["CreateUpsell"] = ("Charges", "Charge a one-click upsell",
            "Charged to the order's payment method (NEXT). 202 with the queued charge; the order shows how it went."),
        ["CreateRecurringCharge"] = ("Charges", "Charge a recurring payment",
            "202 like upsells; with `runAt` the charge runs then. NEXT renews the order's subscription; Neuro-Pay pays with the saved card."),
        ["CreateCustomer"] = ("Customers", "Save a customer", "201 with the customer, its `clientPage` (where the shopper manages cards) and saved cards."),
        ["GetCustomer"] = ("Customers", "Read a saved customer", "`provider` may be left out when only one registered provider keeps customers."),
        ["DeleteCustomer"] = ("Customers", "Delete a saved customer", "`provider` may be left out when only one registered provider keeps customers."),
        ["ShopperReturn"] = ("Callbacks", "The shopper comes back from the provider",
            "Confirms with the provider and sends the shopper on with 303 to `successUrl` or `failureUrl` with `?orderId=…&status=…`. "
            + "Storefronts must read `status`: `pending` means the provider has not decided yet. Storage out: a small 503 page that repeats the return."),
        ["ProviderWebhook"] = ("Callbacks", "A provider's notification",
            "Authenticated where the provider signs; only a trigger: the payment is re-read from the provider. 503 makes providers send again."),
        ["Health"] = ("Health", "Health", "200 when Table Storage answers, else 503."),
    };

    private const string SuccessUrlExample = "https://shop.example/checkout/done";
    private const string FailureUrlExample = "https://shop.example/checkout/failed";

    /// <summary>The one item both the create example and the order example carry.</summary>
    private static JsonArray ItemsExample() => new(new JsonObject
    {
        ["name"] = "Espresso beans 1 kg",
        ["sku"] = "BEANS-1KG",
        ["quantity"] = 1,
        ["unitPrice"] = "49.90",
        ["vatRate"] = "8.1",
        ["type"] = "physical",
    });

    private static JsonObject CreateExample() => new JsonObject
    {
        ["provider"] = "next",
        ["merchantReference"] = "order-1042",
        ["amount"] = "49.90",
        ["currency"] = "CHF",
        ["items"] = ItemsExample(),
        ["successUrl"] = SuccessUrlExample,
        ["failureUrl"] = FailureUrlExample,
        ["metadata"] = new JsonObject { ["cart"] = "c-77" },
    };

    private static JsonObject OrderExample() => new JsonObject
    {
        ["orderId"] = "ord_3f2a9c1e0b7d4e5f8a6b2c1d0e9f8a7b",
        ["status"] = PaymentStatus.Succeeded.ToWire(),
        ["provider"] = "next",
        ["merchantReference"] = "order-1042",
        ["providerReference"] = "NX-8842",
        ["providerStatus"] = "SUCCEEDED",
        ["providerData"] = new JsonObject(),
        ["amount"] = "49.90",
        ["currency"] = "CHF",
        ["items"] = ItemsExample(),
        ["successUrl"] = SuccessUrlExample,
        ["failureUrl"] = FailureUrlExample,
        ["metadata"] = new JsonObject { ["cart"] = "c-77" },
        ["redirectUrl"] = "https://pay.next.example/checkout/NX-8842",
        ["createdAt"] = "2026-01-05T09:30:00+00:00",
        ["updatedAt"] = "2026-01-05T09:31:12+00:00",
        ["history"] = new JsonArray(new JsonObject
        {
            ["from"] = PaymentStatus.Pending.ToWire(),
            ["to"] = PaymentStatus.Succeeded.ToWire(),
            ["at"] = "2026-01-05T09:31:12+00:00",
            ["source"] = "return",
            ["providerStatus"] = "SUCCEEDED",
        }),
        ["refundedAmount"] = "0.00",
        ["refunds"] = new JsonArray(),
        ["charges"] = new JsonArray(),
    };
}
