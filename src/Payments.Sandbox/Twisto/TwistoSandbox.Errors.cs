using System.Text;

namespace Payments.Sandbox.Twisto;

/// <summary>Twisto's auth check, body reads and error answers (401 <c>{"detail"}</c>, 400 <c>{"errors"}</c>, 404, 409, 413).</summary>
public static partial class TwistoSandbox
{
    /// <summary>Twisto's (DRF's) answers to a body it cannot read: <c>{"detail": …}</c>, or <c>non_field_errors</c> for JSON that is no object.</summary>
    private static readonly SandboxBodyRefusals BodyRefusals = SandboxBodyRefusals.DjangoRest(
        () => Json(new JsonObject { ["errors"] = new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary.") } }.ToJsonString(), StatusCodes.Status400BadRequest));

    /// <summary>DRF token auth: <c>Authorization: {scheme} {key}</c>; any non-empty key is accepted here.</summary>
    private static IResult? Auth(HttpRequest request, string scheme)
    {
        if (string.IsNullOrEmpty(request.Headers.Authorization.ToString()))
        {
            return Json(new JsonObject { ["detail"] = "Authentication credentials were not provided." }.ToJsonString(), StatusCodes.Status401Unauthorized);
        }

        if (Credentials(request, scheme) is not { } key || string.IsNullOrWhiteSpace(key) || key.Contains(' ', StringComparison.Ordinal))
        {
            return Json(new JsonObject { ["detail"] = "Invalid token header." }.ToJsonString(), StatusCodes.Status401Unauthorized);
        }

        return null;
    }

    /// <summary>An API call: DRF token auth with <paramref name="scheme"/> first, then its JSON object body (and its text).</summary>
    private static async Task<(JsonObject? Body, string Raw, IResult? Refused)> ReadApiCallAsync(HttpRequest request, string scheme, CancellationToken cancellationToken) =>
        Auth(request, scheme) is { } refused ? (null, string.Empty, refused) : await ReadJsonObjectWithRawAsync(request, cancellationToken);

    private static string? IdempotencyKey(HttpRequest request) =>
        request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrEmpty(key.ToString()) ? key.ToString() : null;

    private static async Task<(JsonObject? Body, IResult? Error)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, _, error) = await ReadJsonObjectWithRawAsync(request, cancellationToken);
        return (body, error);
    }

    /// <summary>The body as a JSON object and as text (what an Idempotency-Key's body is compared by), parsed as text, 32 levels deep at most.</summary>
    private static async Task<(JsonObject? Body, string Raw, IResult? Error)> ReadJsonObjectWithRawAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, bytes, refused) = await SandboxHttp.ReadJsonObjectAsync(request, MaxBodyBytes, BodyRefusals,
            read => JsonNode.Parse(Encoding.UTF8.GetString(read), documentOptions: new JsonDocumentOptions { MaxDepth = 32 }), cancellationToken);
        return (body, body is null ? string.Empty : Encoding.UTF8.GetString(bytes), refused);
    }

    private static IResult BadRequest(TwistoSandboxChecks c) =>
        Json(new JsonObject { ["errors"] = c.Errors.DeepClone() }.ToJsonString(), StatusCodes.Status400BadRequest);

    private static IResult Errors(string field, string message)
    {
        var c = new TwistoSandboxChecks();
        c.Add(field, message);
        return BadRequest(c);
    }

    /// <summary>The stored answer to replay for an Idempotency-Key already used with this body, a 409 for another body, or null (a new request).</summary>
    private static IResult? Replayed(TwistoSandboxState state, string scope, string? key, string body) =>
        state.Replay(scope, key, body, out var conflict) is { } stored ? Json(stored.Answer, stored.Status)
        : conflict ? Conflict()
        : null;

    private static IResult Conflict() =>
        Json(new JsonObject { ["errors"] = new JsonObject { ["idempotency_key"] = new JsonArray("This Idempotency-Key was used with another request.") } }.ToJsonString(), StatusCodes.Status409Conflict);

    private static IResult NotFound() => Json("""{"detail":"Not found."}""", StatusCodes.Status404NotFound);
}
