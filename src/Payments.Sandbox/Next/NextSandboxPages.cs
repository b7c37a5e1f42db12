using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Payments.Sandbox.Next;

/// <summary>The simulated hosted pages. Everything rendered is HTML-encoded.</summary>
public static class NextSandboxPages
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

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
        return $$"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>TWINT (sandbox)</title></head>
            <body>
            <h1>TWINT payment (NEXT sandbox)</h1>
            <p>This is a simulator: no money moves.</p>
            <p>Amount: <strong id="amount">{{E(amount)}}</strong></p>
            <table><thead><tr><th>Item</th><th>Quantity</th><th>Unit price</th></tr></thead><tbody>{{rows}}</tbody></table>
            <form method="post" action="">
            <button type="submit" name="decision" value="pay">Pay</button>
            <button type="submit" name="decision" value="decline">Decline</button>
            <button type="submit" name="decision" value="pending">Leave pending</button>
            </form>
            </body>
            </html>
            """;
    }

    /// <summary>
    /// What NEXT sends the browser after the payment: a form that posts <c>response</c> (the order JSON as a string,
    /// or <c>{}</c>) urlencoded to <c>payment_return_url</c>, submitted by script, with a button for no-JS browsers.
    /// </summary>
    public static string ReturnPage(string returnUrl, string response) => $$"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Returning to the shop</title></head>
        <body>
        <form id="next-return" method="post" action="{{E(returnUrl)}}" enctype="application/x-www-form-urlencoded">
        <input type="hidden" name="response" value="{{E(response)}}">
        <p>Returning to the shop…</p>
        <button type="submit">Continue</button>
        </form>
        <script>document.getElementById("next-return").submit();</script>
        </body>
        </html>
        """;

    public static string Gone() => """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Payment session closed</title></head>
        <body><h1>This payment session is not open</h1><p>It was completed, has expired, or never existed.</p></body>
        </html>
        """;

    private static string E(string text) => Encoder.Encode(text);
}
