using System.Globalization;
using System.Text;

namespace Payments.Sandbox.NeuroPay;

/// <summary>The simulated hosted pages. Everything rendered is HTML-encoded.</summary>
public static class NeuroPaySandboxPages
{
    /// <summary>The checkout page at the checkout's <c>url</c>: the message, the amount, and the shopper's choices.</summary>
    public static string PaymentPage(NeuroPaySandboxCheckoutView checkout)
    {
        var saveCard = checkout.OffersSaveCard
            ? """<p><label><input type="checkbox" name="save_card" value="true"> Save card for future payments</label></p>"""
            : string.Empty;
        var background = checkout.Template == "iframe" ? string.Empty : " style=\"background:#eef3f8\"";
        return Document("Neuro-Pay checkout (sandbox)", $$"""
            <body{{background}}>
            <h1>Neuro-Pay checkout (sandbox)</h1>
            <p>This is a simulator: no money moves.</p>
            <p id="message">{{E(checkout.Message)}}</p>
            <p>Amount: <strong id="amount">{{E(Amount(checkout.Amount, checkout.Currency))}}</strong></p>
            <form method="post" action="">
            {{saveCard}}
            {{DecisionButtons(("pay", "Pay"), ("decline", "Decline"), ("cancel", "Cancel"))}}
            </form>
            </body>
            """, Viewport);
    }

    /// <summary>A checkout that is no longer open (decided, or paid automatically with a saved card).</summary>
    public static string Closed(NeuroPaySandboxCheckoutView checkout) => Document("Neuro-Pay checkout (sandbox)", $$"""
        <body>
        <h1>This checkout is closed</h1>
        <p>Status: <strong id="status">{{E(checkout.Status)}}</strong></p>
        <p><a href="{{E(checkout.ReturnUrl)}}">Back to the shop</a></p>
        </body>
        """);

    /// <summary>The customer's client page (<c>client_page</c>): the saved cards.</summary>
    public static string ClientPage(string name, IReadOnlyList<NeuroPaySandboxCard> cards)
    {
        var rows = new StringBuilder();
        foreach (var card in cards)
        {
            rows.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(card.Brand)}</td><td>•••• {E(card.Last4)}</td><td>{E(card.Expiry)}</td><td>{(card.IsDefault ? "default" : string.Empty)}</td></tr>");
        }

        var list = cards.Count == 0
            ? "<p id=\"no-cards\">No saved cards.</p>"
            : $"<table><thead><tr><th>Brand</th><th>Card</th><th>Expires</th><th></th></tr></thead><tbody>{rows}</tbody></table>";
        return Document("Saved cards (Neuro-Pay sandbox)", $$"""
            <body>
            <h1>Saved cards of {{E(name)}}</h1>
            {{list}}
            </body>
            """);
    }

    public static string NotFound(string what) => Notice("Not found", $"Unknown {E(what)}");

    private static string Amount(long minor, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{currency} {minor / 100}.{minor % 100:00}");
}
