using System.Globalization;
using System.Text;

namespace Payments.Sandbox.Next;

/// <summary>The simulated hosted pages. Everything rendered is HTML-encoded.</summary>
public static class NextSandboxPages
{
    /// <summary>The TWINT payment page at <c>payment_complete_url</c>: the amount, the lines, and the three choices.</summary>
    public static string PaymentPage(NextSandboxSession session)
    {
        var rows = new StringBuilder();
        foreach (var line in session.Lines)
        {
            rows.Append(CultureInfo.InvariantCulture,
                $"<tr><td>Product {E(line.ProductId.ToString(CultureInfo.InvariantCulture))}</td><td>{E(line.Quantity.ToString(CultureInfo.InvariantCulture))}</td><td>{E(NextSandboxState.Money(line.PriceMinor))}</td></tr>");
        }

        if (session.ShippingMinor != 0)
        {
            rows.Append(CultureInfo.InvariantCulture, $"<tr><td>Shipping</td><td>1</td><td>{E(NextSandboxState.Money(session.ShippingMinor))}</td></tr>");
        }

        var amount = $"{session.Currency} {NextSandboxState.Money(session.TotalMinor)}";
        return Document("TWINT (sandbox)", $$"""
            <body>
            <h1>TWINT payment (NEXT sandbox)</h1>
            <p>This is a simulator: no money moves.</p>
            <p>Amount: <strong id="amount">{{E(amount)}}</strong></p>
            <table><thead><tr><th>Item</th><th>Quantity</th><th>Unit price</th></tr></thead><tbody>{{rows}}</tbody></table>
            <form method="post" action="">
            {{DecisionButtons(("pay", "Pay"), ("decline", "Decline"), ("pending", "Leave pending"))}}
            </form>
            </body>
            """, Viewport);
    }

    /// <summary>
    /// What NEXT sends the browser after the payment: a form that posts <c>response</c> (the order JSON as a string,
    /// or <c>{}</c>) urlencoded to <c>payment_return_url</c>, submitted by script, with a button for no-JS browsers.
    /// </summary>
    public static string ReturnPage(string returnUrl, string response) => Document("Returning to the shop", $$"""
        <body>
        <form id="next-return" method="post" action="{{E(returnUrl)}}" enctype="application/x-www-form-urlencoded">
        <input type="hidden" name="response" value="{{E(response)}}">
        <p>Returning to the shop…</p>
        <button type="submit">Continue</button>
        </form>
        <script>document.getElementById("next-return").submit();</script>
        </body>
        """);

    public static string Gone() =>
        Notice("Payment session closed", "This payment session is not open", "It was completed, has expired, or never existed.");
}
