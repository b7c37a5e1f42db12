namespace Payments.Sandbox.NeuroPay;

/// <summary>Neuro-Pay's key check, body reads and <c>{"error", "message"}</c> answers.</summary>
public static partial class NeuroPaySandbox
{
    /// <summary>Neuro-Pay's <c>{"error", "message"}</c> answers to a body it cannot read.</summary>
    private static readonly SandboxBodyRefusals BodyRefusals = new(
        _ => Error(new("unsupported_media_type", "Send JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType)),
        () => Error(new("too_large", "The request body is too large.", StatusCodes.Status413PayloadTooLarge)),
        () => Error(new("invalid_request", "The body is not valid JSON.")),
        () => Error(new("invalid_request", "The body must be a JSON object.")));

    /// <summary>The bearer key (401 otherwise) and the JSON object body of an API call.</summary>
    private static async Task<(string? Owner, JsonObject? Body, IResult? Refused)> ReadApiCallAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var key = Credentials(http.Request, "Bearer")?.Trim() ?? string.Empty;
        if (key.Length == 0)
        {
            return (null, null, Error(new("unauthorized", "A valid API key is required as a bearer token.", StatusCodes.Status401Unauthorized)));
        }

        var (body, refused) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        return (NeuroPaySandboxState.Owner(key), body, refused);
    }

    /// <summary>The body as a JSON object, 32 levels deep at most.</summary>
    private static async Task<(JsonObject? Body, IResult? Refused)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, _, refused) = await SandboxHttp.ReadJsonObjectAsync(request, MaxBodyBytes, BodyRefusals,
            bytes => JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }), cancellationToken);
        return (body, refused);
    }

    private static IResult Error(NeuroPaySandboxError error) =>
        Json(new JsonObject { ["error"] = error.Code, ["message"] = error.Message }, error.Status);
}
