using System.Globalization;

namespace Payments.Sandbox.Mangopay;

/// <summary>The simulated hosted TWINT page of a Mangopay pay-in. Everything rendered is HTML-encoded.</summary>
public static class MangopaySandboxPages
{
    /// <summary>The page at the pay-in's <c>RedirectURL</c>: amount, descriptor, and the three choices.</summary>
    public static string PaymentPage(JsonObject payIn, DateTimeOffset expiresAt)
    {
        var funds = payIn["DebitedFunds"]!;
        var amount = $"{funds["Currency"]!.GetValue<string>()} {Money(funds["Amount"]!.GetValue<long>())}";
        var descriptor = payIn["StatementDescriptor"]?.GetValue<string>();
        var tag = payIn["Tag"]?.GetValue<string>();
        return Document("TWINT (sandbox)", $$"""
            <body>
            <h1>TWINT payment (Mangopay sandbox)</h1>
            <p>This is a simulator: no money moves. In the real flow the shopper scans a QR code or enters a 5-digit code in the TWINT app.</p>
            <p>Amount: <strong id="amount">{{E(amount)}}</strong></p>
            <p>Pay-in: <code id="payin">{{E(payIn["Id"]!.GetValue<string>())}}</code></p>
            {{(descriptor is null ? string.Empty : $"<p>Statement: {E(descriptor)}</p>")}}
            {{(tag is null ? string.Empty : $"<p>Reference: {E(tag)}</p>")}}
            <p>This page times out at {{E(expiresAt.ToString("u", CultureInfo.InvariantCulture))}}.</p>
            <form method="post" action="">
            {{DecisionButtons(("pay", "Pay"), ("decline", "Decline"), ("pending", "Leave pending"))}}
            </form>
            </body>
            """, Viewport);
    }

    public static string Gone() =>
        Notice("Payment session closed", "This TWINT payment is not open", "It was completed, has timed out, or never existed.");

    /// <summary>Minor units as "49.90".</summary>
    public static string Money(long minor) => (minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
