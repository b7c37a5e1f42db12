using Microsoft.AspNetCore.WebUtilities;

namespace Payments.Sandbox.Twisto;

/// <summary>The hosted page (Approve, Decline, Leave pending) and the sandbox-only state and status flips.</summary>
public static partial class TwistoSandbox
{
    private static IResult GatewayPage(string version, string id, [FromServices] TwistoSandboxState state) =>
        state.Find(version, id) is { Decided: false } payment
            ? Html(TwistoSandboxPages.GatewayPage(payment), StatusCodes.Status200OK)
            : Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);

    /// <summary>
    /// Twisto's scoring, decided by the shopper. Approve: v4 <c>completed</c> (Immediate Capture or Pay in 3) or
    /// <c>approved</c>, v2 <c>accepted</c>; Decline: v4 <c>cancelled</c> ("rejected on scoring"), v2 <c>rejected</c>;
    /// Leave pending: v4 stays <c>created</c>, v2 <c>checking</c>, and the page stays open. Webhooks are sent before
    /// the shopper is returned.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string version, string id, [FromServices] TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (state.Find(version, id) is not { } payment)
        {
            return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        var (decision, _, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, TwistoSandboxPages.Gone(), cancellationToken,
            notAFormStatus: StatusCodes.Status404NotFound);
        if (refused is not null)
        {
            return refused;
        }

        var final = decision != "pending";
        if (version == "v2")
        {
            // "Once the decision process starts, webhook notification with checking status is triggered."
            if (!payment.TryDecide("checking", final: false))
            {
                return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
            }

            await state.NotifyAsync(payment, cancellationToken);
            if (final)
            {
                if (!payment.TryDecide(decision == "approve" ? "accepted" : "rejected", final: true))
                {
                    return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
                }

                await state.NotifyAsync(payment, cancellationToken);
            }

            var outcome = decision switch
            {
                "approve" => "Twisto accepted the purchase",
                "decline" => "Twisto could not accept the purchase",
                _ => "Twisto is still checking",
            };
            return Html(TwistoSandboxPages.DecisionPage(outcome, payment.ReturnUrl), StatusCodes.Status200OK);
        }

        var type = payment.Read(j => j["type"]?.GetValue<string>());
        var next = decision switch
        {
            "approve" => state.Options.ImmediateCapture || type == "pay-in-three" ? "completed" : "approved",
            "decline" => "cancelled",
            _ => "created",
        };
        if (!payment.TryDecide(next, final))
        {
            return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        if (final)
        {
            await state.NotifyAsync(payment, cancellationToken);
        }

        var back = QueryHelpers.AddQueryString(payment.ReturnUrl, new Dictionary<string, string?> { ["checkout_id"] = id, ["state"] = next });
        http.Response.Headers.Location = back;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> FlipAsync(HttpContext http, string version, string id, TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (state.Find(version, id) is not { } payment)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var field = version == "v2" ? "status" : "state";
        var c = new TwistoSandboxChecks();
        var word = c.Text(body, field, field, required: true, max: 64);
        if (!c.Ok)
        {
            return BadRequest(c);
        }

        payment.SetState(word!);
        payment.Close();
        await state.NotifyAsync(payment, cancellationToken);
        return Json(payment.ToJson(), StatusCodes.Status200OK);
    }
}
