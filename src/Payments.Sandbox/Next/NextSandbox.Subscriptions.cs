namespace Payments.Sandbox.Next;

/// <summary>Subscriptions: retrieve, renew, and the sandbox-only status flip.</summary>
public static partial class NextSandbox
{
    private static IResult GetSubscription(HttpContext http, long id, [FromServices] NextSandboxState state)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        return state.FindSubscription(id) is { } subscription
            ? Json(subscription.ToJson(), StatusCodes.Status200OK)
            : NotFound();
    }

    private static IResult RenewSubscription(HttpContext http, long id, [FromServices] NextSandboxState state)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        if (state.FindSubscription(id) is not { } subscription)
        {
            return NotFound();
        }

        return state.Renew(subscription) is { } renewed
            ? Json(renewed.ToJson(), StatusCodes.Status200OK)
            : Json(new JsonObject { ["detail"] = "A canceled subscription cannot be renewed." }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SetSubscriptionStatusAsync(HttpContext http, long id, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (state.FindSubscription(id) is not { } subscription)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        if (body["status"] is not { } s || s.GetValueKind() != JsonValueKind.String
            || s.GetValue<string>() is not ("active" or "past_due" or "canceled" or "retrying" or "paused"))
        {
            return Json(new JsonObject { ["status"] = new JsonArray("Must be active, past_due, canceled, retrying or paused.") }, StatusCodes.Status400BadRequest);
        }

        lock (subscription.Lock)
        {
            subscription.Status = s.GetValue<string>();
        }

        return Json(subscription.ToJson(), StatusCodes.Status200OK);
    }
}
