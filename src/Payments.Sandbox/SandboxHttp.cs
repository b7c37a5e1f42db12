namespace Payments.Sandbox;

/// <summary>
/// The HTTP plumbing the provider simulators share: answers, the request's origin, the Authorization header's
/// credentials, bounded body reads (raw and as a JSON object) and the shopper's decision posted from a hosted page.
/// What a provider answers (its error bodies, its pages) stays with it: see <see cref="SandboxBodyRefusals"/>.
/// </summary>
internal static class SandboxHttp
{
    public const string JsonContentType = "application/json";

    public static IResult Json(JsonNode body, int status) => Json(body.ToJsonString(), status);

    public static IResult Json(string json, int status, string contentType = JsonContentType) =>
        Results.Text(json, contentType, statusCode: status);

    public static IResult Html(string html, int status) => Results.Text(html, "text/html; charset=utf-8", statusCode: status);

    /// <summary><c>{scheme}://{host}{pathBase}</c>, where the simulator's own links start.</summary>
    public static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>Whether the request says its body is JSON (<c>application/json</c>, any parameters).</summary>
    public static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith(JsonContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What the <c>Authorization</c> header carries after <c>{scheme} </c> (case-sensitive, as the simulated providers
    /// compare it), untrimmed; null when the header is missing or names another scheme. Whether the credentials are
    /// acceptable (non-blank, a live token) is the provider's rule.
    /// </summary>
    public static string? Credentials(HttpRequest request, string scheme)
    {
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith(scheme + " ", StringComparison.Ordinal) ? auth[(scheme.Length + 1)..] : null;
    }

    /// <summary>
    /// A JSON API call's body as a JSON object, read in the order every simulated provider checks it: a JSON
    /// content type (else <see cref="SandboxBodyRefusals.UnsupportedMediaType"/>), at most <paramref name="maxBytes"/>
    /// (else <see cref="SandboxBodyRefusals.TooLarge"/>), JSON (else <see cref="SandboxBodyRefusals.NotJson"/>) and an
    /// object (else <see cref="SandboxBodyRefusals.NotAnObject"/>). <paramref name="parse"/> is the provider's parser
    /// (its depth limit, bytes or text); it throws <see cref="JsonException"/> for what is not JSON. <c>Bytes</c> is
    /// the body as read (empty when it was refused before or while parsing), for an idempotency fingerprint.
    /// </summary>
    public static async Task<(JsonObject? Body, byte[] Bytes, IResult? Refused)> ReadJsonObjectAsync(
        HttpRequest request, int maxBytes, SandboxBodyRefusals refusals, Func<byte[], JsonNode?> parse, CancellationToken cancellationToken)
    {
        if (!IsJson(request))
        {
            return (null, [], refusals.UnsupportedMediaType(request.ContentType));
        }

        if (await ReadBoundedAsync(request, maxBytes, cancellationToken) is not { } bytes)
        {
            return (null, [], refusals.TooLarge());
        }

        try
        {
            return parse(bytes) is JsonObject body ? (body, bytes, null) : (null, bytes, refusals.NotAnObject());
        }
        catch (JsonException)
        {
            return (null, [], refusals.NotJson());
        }
    }

    /// <summary>
    /// The body, or null when it is larger than <paramref name="maxBytes"/>: by its Content-Length, before reading,
    /// or as read, for a body that does not say its length.
    /// </summary>
    public static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The shopper's choice posted from a hosted page: a urlencoded form of at most <paramref name="maxBytes"/> whose
    /// <c>decision</c> is one of <paramref name="decisions"/>. Otherwise <c>Refused</c> is the provider's page for it:
    /// <paramref name="goneHtml"/> with <paramref name="notAFormStatus"/> for a request that is no such form, and
    /// <paramref name="unknownDecisionHtml"/> (by default <paramref name="goneHtml"/>) with 400 for any other decision.
    /// </summary>
    public static async Task<(string Decision, IFormCollection Form, IResult? Refused)> ReadDecisionAsync(
        HttpRequest request, int maxBytes, IReadOnlyCollection<string> decisions, string goneHtml, CancellationToken cancellationToken,
        int notAFormStatus = StatusCodes.Status400BadRequest, string? unknownDecisionHtml = null)
    {
        if (!request.HasFormContentType || request.ContentLength > maxBytes)
        {
            return (string.Empty, FormCollection.Empty, Html(goneHtml, notAFormStatus));
        }

        var form = await request.ReadFormAsync(cancellationToken);
        var decision = form["decision"].ToString();
        return decisions.Contains(decision)
            ? (decision, form, null)
            : (decision, form, Html(unknownDecisionHtml ?? goneHtml, StatusCodes.Status400BadRequest));
    }
}

/// <summary>
/// How one simulated provider refuses a JSON body it cannot read, in its own documented error format (DRF's
/// <c>{"detail": …}</c> for NEXT and Twisto, <c>{"error", "message"}</c> for Neuro-Pay).
/// </summary>
/// <param name="UnsupportedMediaType">415 for a request that is not JSON; given the request's Content-Type.</param>
/// <param name="TooLarge">413 for a body over the provider's limit.</param>
/// <param name="NotJson">400 for a body that does not parse.</param>
/// <param name="NotAnObject">400 for JSON that is not an object.</param>
internal sealed record SandboxBodyRefusals(
    Func<string?, IResult> UnsupportedMediaType,
    Func<IResult> TooLarge,
    Func<IResult> NotJson,
    Func<IResult> NotAnObject)
{
    /// <summary>
    /// Django REST framework's answers, which NEXT and Twisto both give: <c>{"detail": …}</c> for a body of another
    /// media type, too large or not JSON; <paramref name="notAnObject"/> (where each puts <c>non_field_errors</c>) for JSON
    /// that is no object.
    /// </summary>
    public static SandboxBodyRefusals DjangoRest(Func<IResult> notAnObject) => new(
        contentType => SandboxHttp.Json(new JsonObject { ["detail"] = $"Unsupported media type \"{contentType}\" in request." }, StatusCodes.Status415UnsupportedMediaType),
        () => SandboxHttp.Json(new JsonObject { ["detail"] = "Request body too large." }, StatusCodes.Status413PayloadTooLarge),
        () => SandboxHttp.Json(new JsonObject { ["detail"] = "JSON parse error." }, StatusCodes.Status400BadRequest),
        notAnObject);
}
