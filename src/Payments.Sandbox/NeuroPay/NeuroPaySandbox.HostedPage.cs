using System.Globalization;

namespace Payments.Sandbox.NeuroPay;

/// <summary>The hosted checkout page (Pay, Decline, Cancel), the customer's client page and the sandbox-only status flip.</summary>
public static partial class NeuroPaySandbox
{
    private static IResult CheckoutPage(string checkoutId, [FromServices] NeuroPaySandboxState state)
    {
        if (state.FindCheckout(checkoutId) is not { } checkout)
        {
            return Html(NeuroPaySandboxPages.NotFound("checkout"), StatusCodes.Status404NotFound);
        }

        var view = checkout.View();
        return Html(view.Status == NeuroPaySandboxCheckout.Created ? NeuroPaySandboxPages.PaymentPage(view) : NeuroPaySandboxPages.Closed(view),
            StatusCodes.Status200OK);
    }

    /// <summary>
    /// The shopper's choice: Pay (saving the card when asked and allowed), Decline, or Cancel. As Neuro-Pay does, the
    /// browser is then sent to <c>returnUrl</c> (<c>returnUrlCancel</c> for Cancel), with nothing appended.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string checkoutId, [FromServices] NeuroPaySandboxState state, CancellationToken cancellationToken)
    {
        var (decision, form, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, NeuroPaySandboxPages.NotFound("checkout"), cancellationToken,
            unknownDecisionHtml: NeuroPaySandboxPages.NotFound("choice"));
        if (refused is not null)
        {
            return refused;
        }

        if (state.FindCheckout(checkoutId) is not { } checkout)
        {
            return Html(NeuroPaySandboxPages.NotFound("checkout"), StatusCodes.Status404NotFound);
        }

        var view = checkout.View();
        if (checkout.Decide(decision, state.Timestamp()) is not { } target)
        {
            return Html(NeuroPaySandboxPages.Closed(checkout.View()), StatusCodes.Status409Conflict);
        }

        if (decision == "pay" && view.OffersSaveCard && form["save_card"].ToString() is "true" or "on"
            && state.FindCustomer(checkout.Owner, checkout.CustomerId) is { } customer)
        {
            var expiry = state.Clock.GetUtcNow().AddYears(3);
            customer.AddCard("visa", "4242", expiry.ToString("MM'/'yy", CultureInfo.InvariantCulture));
        }

        http.Response.Headers.Location = target;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult ClientPage(string customerId, [FromServices] NeuroPaySandboxState state) =>
        state.FindCustomer(customerId) is { } customer
            ? Html(NeuroPaySandboxPages.ClientPage(customer.Name, customer.Cards), StatusCodes.Status200OK)
            : Html(NeuroPaySandboxPages.NotFound("customer"), StatusCodes.Status404NotFound);

    private static async Task<IResult> SetStatusAsync(HttpContext http, string checkoutId, [FromServices] NeuroPaySandboxState state, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (Text(body!, "status") is not { Length: > 0 and <= 64 } status)
        {
            return Error(new("invalid_request", "status is required."));
        }

        if (state.FindCheckout(checkoutId) is not { } checkout)
        {
            return Error(new("not_found", "Checkout not found.", StatusCodes.Status404NotFound));
        }

        checkout.SetStatus(status, state.Timestamp());
        return Json(checkout.ToJson(PageUrl(http, PrefixOf(http), checkout.Id)), StatusCodes.Status200OK);
    }
}
