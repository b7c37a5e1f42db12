namespace Payments.Sandbox.Next;

/// <summary>The hosted TWINT payment page (Pay, Decline, Leave pending) and the sandbox-only payment-status flip.</summary>
public static partial class NextSandbox
{
    private static IResult CheckoutPage(string session, [FromServices] NextSandboxState state) =>
        state.FindSession(session) is { } s
            ? Html(NextSandboxPages.PaymentPage(s), StatusCodes.Status200OK)
            : Html(NextSandboxPages.Gone(), StatusCodes.Status404NotFound);

    /// <summary>
    /// The shopper's choice. As at NEXT, the browser is then sent to <c>payment_return_url</c> with an
    /// auto-submitting form: <c>response</c> = the order JSON, or <c>{}</c> when no order was created.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string session, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        var (decision, _, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, NextSandboxPages.Gone(), cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (state.CloseSession(session) is not { } s)
        {
            return Html(NextSandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        var response = decision switch
        {
            "pay" => state.CreateOrder(s, "paid").ToJson(),
            "pending" => state.CreateOrder(s, "pending").ToJson(),
            _ => "{}",
        };
        return Html(NextSandboxPages.ReturnPage(s.ReturnUrl, response), StatusCodes.Status200OK);
    }

    private static async Task<IResult> SetPaymentStatusAsync(HttpContext http, string number, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (state.FindOrder(number) is not { } order)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        if (body["payment_status"] is not { } s || s.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetValue<string>()))
        {
            return Json(new JsonObject { ["payment_status"] = new JsonArray("This field is required.") }, StatusCodes.Status400BadRequest);
        }

        order.SetPaymentStatus(s.GetValue<string>(), state);
        return Json(order.ToJson(), StatusCodes.Status200OK);
    }
}
