namespace Payments.Sandbox.Mangopay;

/// <summary>The hosted TWINT page (Pay, Decline, Leave pending) and the sandbox-only status flip that fires the hook.</summary>
public static partial class MangopaySandbox
{
    private static IResult HostedPage(string session, [FromServices] MangopaySandboxState state) =>
        state.FindSession(session) is { } payIn
            ? Html(MangopaySandboxPages.PaymentPage(payIn.Snapshot(), payIn.SessionExpiresAt), StatusCodes.Status200OK)
            : Html(MangopaySandboxPages.Gone(), StatusCodes.Status404NotFound);

    /// <summary>
    /// The shopper's choice on the TWINT page. As at Mangopay, the browser then goes back to <c>ReturnURL</c> with
    /// <c>?transactionId={PayInId}</c> appended, by a plain redirect (GET), whatever the outcome. Pay and Decline settle
    /// the pay-in (and fire its hook); Leave pending keeps it CREATED and the page open until it times out.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string session, [FromServices] MangopaySandboxState state,
        [FromServices] MangopaySandboxHooks hooks, CancellationToken cancellationToken)
    {
        var (decision, _, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, MangopaySandboxPages.Gone(), cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (state.FindSession(session) is not { } payIn)
        {
            return Html(MangopaySandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        var (status, code, message) = decision switch
        {
            "pay" => ("SUCCEEDED", SuccessCode, SuccessMessage),
            "decline" => ("FAILED", DeclinedCode, DeclinedMessage),
            _ => ((string?)null, (string?)null, (string?)null),
        };
        if (status is not null)
        {
            if (!payIn.SetStatus(status, code, message, state.Now()))
            {
                return Html(MangopaySandboxPages.Gone(), StatusCodes.Status404NotFound);
            }

            if (state.Options.HookOnDecision)
            {
                hooks.SendInBackground(Origin(http.Request), HookEvent(status), payIn.Id);
            }
        }

        return Results.Redirect(payIn.ReturnUrl, permanent: false);
    }

    /// <summary>
    /// Sandbox control: <c>{"Status":"SUCCEEDED"|"FAILED"|"CREATED", "ResultCode"?, "ResultMessage"?, "Hook"?: true}</c>
    /// sets a pay-in's status as if the shopper had finished on TWINT without coming back, and (unless <c>Hook</c> is
    /// false) sends its hook and waits for the answer: <c>{"PayIn": {…}, "Hook": {"Url", "StatusCode"}}</c>.
    /// </summary>
    private static async Task<IResult> SetStatusAsync(HttpContext http, string payInId, [FromServices] MangopaySandboxState state,
        [FromServices] MangopaySandboxHooks hooks, CancellationToken cancellationToken)
    {
        if (state.FindPayIn(payInId) is not { } payIn)
        {
            return NotFound(state, "PayIn", payInId);
        }

        var (raw, tooLarge) = await ReadBodyAsync(http.Request, state, cancellationToken);
        if (raw is null)
        {
            return tooLarge!;
        }

        var body = ParseObject(raw);
        var status = body?["Status"] is { } s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null;
        if (body is null || status is not ("SUCCEEDED" or "FAILED" or "CREATED"))
        {
            return Error(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage,
                new JsonObject { ["Status"] = "Status must be SUCCEEDED, FAILED or CREATED." });
        }

        var code = body["ResultCode"] is { } c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>()
            : status switch { "SUCCEEDED" => SuccessCode, "FAILED" => DeclinedCode, _ => null };
        var message = body["ResultMessage"] is { } m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>()
            : status switch { "SUCCEEDED" => SuccessMessage, "FAILED" => DeclinedMessage, _ => null };
        payIn.SetStatus(status, code, message, state.Now(), force: true);

        JsonNode? hook = null;
        var sendHook = body["Hook"] is not { } h || h.GetValueKind() != JsonValueKind.False;
        if (sendHook && status != "CREATED")
        {
            var (url, statusCode, error) = await hooks.SendAsync(Origin(http.Request), HookEvent(status), payIn.Id, cancellationToken);
            hook = new JsonObject { ["Url"] = url, ["StatusCode"] = statusCode, ["Error"] = error };
        }

        return Json(new JsonObject { ["PayIn"] = JsonNode.Parse(payIn.ToJson()), ["Hook"] = hook }, StatusCodes.Status200OK);
    }

    private static string HookEvent(string status) => status == "SUCCEEDED" ? "PAYIN_NORMAL_SUCCEEDED" : "PAYIN_NORMAL_FAILED";
}
