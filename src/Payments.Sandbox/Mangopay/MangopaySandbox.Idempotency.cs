using System.Globalization;
using System.Text;

namespace Payments.Sandbox.Mangopay;

/// <summary>Mangopay's idempotency: keyed POSTs answered once and replayed, and <c>GET /responses/{key}</c>.</summary>
public static partial class MangopaySandbox
{
    /// <summary><c>GET /responses/{key}</c>: the first answer given to an idempotency key, within 24 h.</summary>
    private static IResult GetResponse(HttpContext http, string clientId, string key, [FromServices] MangopaySandboxState state)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        if (state.FindKey(clientId, key)?.Answer is not { } answer)
        {
            return NotFound(state, "Response", key);
        }

        JsonNode? resource;
        try
        {
            resource = JsonNode.Parse(answer.Json);
        }
        catch (JsonException)
        {
            resource = answer.Json;
        }

        return Json(new JsonObject
        {
            ["StatusCode"] = answer.Status.ToString(CultureInfo.InvariantCulture),
            ["ContentLength"] = Encoding.UTF8.GetByteCount(answer.Json).ToString(CultureInfo.InvariantCulture),
            ["ContentType"] = "application/json; charset=utf-8",
            ["Date"] = answer.Date,
            ["RequestURL"] = answer.RequestUrl,
            ["Resource"] = resource,
        }, StatusCodes.Status200OK);
    }

    /// <summary>
    /// Mangopay's idempotency: a POST with a key new within 24 h is processed and its answer kept; the same key again
    /// gets that answer (same method, path and body) or 409, or always 409 when replay is off.
    /// </summary>
    private static IResult Idempotent(HttpContext http, string clientId, byte[] raw, MangopaySandboxState state, Func<(int Status, string Json)> handle)
    {
        var request = http.Request;
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            var (status, json) = handle();
            return Text(json, status);
        }

        var key = values.ToString();
        if (!IdempotencyKey().IsMatch(key))
        {
            return Error(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage,
                new JsonObject { [IdempotencyKeyHeader] = "The Idempotency-Key must be 16 to 36 alphanumeric characters or dashes." });
        }

        var path = request.Path.Value ?? string.Empty;
        var existing = state.ClaimKey(clientId, key, request.Method, path, raw);
        if (existing is null)
        {
            var (status, json) = handle();
            state.CompleteKey(clientId, key, status, json, $"{Origin(request)}{path}");
            return Text(json, status);
        }

        if (state.Options.IdempotencyReplay && existing.IsSameRequest(MangopaySandboxState.RequestOf(request.Method, path), raw) && existing.Answer is { } first)
        {
            return Text(first.Json, first.Status);
        }

        return Error(state, StatusCodes.Status409Conflict, "idempotent_creation_conflict", "A resource has already been created with this Idempotency Key", null);
    }
}
