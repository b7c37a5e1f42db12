using System.Text;

namespace Payments.Sandbox.Twisto;

/// <summary>The simulated Twisto gateway pages. Everything rendered is HTML-encoded.</summary>
public static class TwistoSandboxPages
{
    /// <summary>
    /// The gateway page at the checkout's <c>uri</c> (v4) or the order's <c>redirect_url</c> (v2): what is bought,
    /// by whom, and the three outcomes of Twisto's scoring.
    /// </summary>
    public static string GatewayPage(TwistoSandboxObject payment)
    {
        var (product, amount, email, merchant, items) = payment.ReadRequest(r => payment.Version == "v2"
            ? (Text(r["service"]) ?? "twisto-pay", $"{Text(r["order_data"]?["amount"])}", Text(r["customer_data"]?["email"]),
                Text(r["order_data"]?["eshop_external_id"]), r["items"] as JsonArray)
            : (Text(r["type"]) ?? "standard", $"{Text(r["order"]?["currency"])} {Text(r["order"]?["amount"])}", Text(r["shopper"]?["email"]),
                Text(r["merchant_reference"]), r["order"]?["items"] as JsonArray));
        var rows = new StringBuilder();
        foreach (var item in items?.OfType<JsonObject>() ?? [])
        {
            rows.Append($"<tr><td>{E(Text(item["name"]))}</td><td>{E(Text(item["type"]))}</td><td>{E(Text(item["quantity"]))}</td><td>{E(Text(item["amount"]))}</td></tr>");
        }

        var title = product == "pay-in-three" ? "Pay in 3" : "Twisto Pay";
        return Document($"{E(title)} (sandbox)", $$"""
            <body>
            <h1>{{E(title)}} (Twisto sandbox, API {{E(payment.Version)}})</h1>
            <p>This is a simulator: nobody is scored and no money moves.</p>
            <p>Merchant: <span id="merchant">{{E(merchant)}}</span></p>
            <p>Shopper: <span id="shopper">{{E(email)}}</span></p>
            <p>Amount: <strong id="amount">{{E(amount)}}</strong></p>
            <table><thead><tr><th>Item</th><th>Type</th><th>Quantity</th><th>Amount</th></tr></thead><tbody>{{rows}}</tbody></table>
            <form method="post" action="">
            {{DecisionButtons(("approve", "Approve"), ("decline", "Decline"), ("pending", "Leave pending"))}}
            </form>
            </body>
            """, Viewport);
    }

    /// <summary>
    /// v2's page after the decision: "the customer is automatically redirected within 5 seconds to the URL that
    /// was provided during order creation" (a meta refresh, with a link for the impatient).
    /// </summary>
    public static string DecisionPage(string outcome, string returnUrl) => Document("Twisto", $$"""
        <body>
        <h1>{{E(outcome)}}</h1>
        <p>You will be returned to the shop in 5 seconds.</p>
        <p><a id="return" href="{{E(returnUrl)}}">Return to the shop now</a></p>
        </body>
        """, $"<meta http-equiv=\"refresh\" content=\"5; url={E(returnUrl)}\">");

    public static string Gone() => Notice("Payment closed", "This Twisto payment is not open", "It was decided, cancelled, or never existed.");

    private static string? Text(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number => node.ToJsonString(),
        _ => null,
    };
}
