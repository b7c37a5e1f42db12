namespace Payments.Sandbox.Next;

/// <summary>NEXT's header checks, body reads and error answers, as Django REST framework words them.</summary>
public static partial class NextSandbox
{
    /// <summary>NEXT's (DRF's) answers to a body it cannot read; JSON that is no object gets <c>non_field_errors</c> at the top.</summary>
    private static readonly SandboxBodyRefusals BodyRefusals = SandboxBodyRefusals.DjangoRest(
        () => Json(new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary.") }, StatusCodes.Status400BadRequest));

    /// <summary>NEXT's OAuth bearer token (any non-empty one here) and the API version header, on every API call.</summary>
    private static IResult? CheckHeaders(HttpRequest request)
    {
        if (Credentials(request, "Bearer") is not { } token || string.IsNullOrWhiteSpace(token))
        {
            return Json(new JsonObject { ["detail"] = "Authentication credentials were not provided." }, StatusCodes.Status401Unauthorized);
        }

        var version = request.Headers[ApiVersionHeader].ToString();
        if (!ApiVersions.Contains(version))
        {
            return Json(new JsonObject
            {
                ["detail"] = $"Invalid or missing {ApiVersionHeader} header. Supported versions: {string.Join(", ", ApiVersions)}.",
            }, StatusCodes.Status400BadRequest);
        }

        return null;
    }

    /// <summary>A call on one order: the headers first, then the order <paramref name="number"/> names (404 otherwise), then its JSON object body.</summary>
    private static async Task<(NextSandboxOrder? Order, JsonObject? Body, IResult? Refused)> ReadOrderCallAsync(
        HttpContext http, string number, NextSandboxState state, CancellationToken cancellationToken)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return (null, null, refused);
        }

        if (state.FindOrder(number) is not { } order)
        {
            return (null, null, NotFound());
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        return (order, body, bodyError);
    }

    private static async Task<(JsonObject? Body, IResult? Error)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, _, refused) = await SandboxHttp.ReadJsonObjectAsync(request, MaxBodyBytes, BodyRefusals, bytes => JsonNode.Parse(bytes), cancellationToken);
        return (body, refused);
    }

    private static void Error(JsonObject errors, string field, string message)
    {
        if (errors[field] is not JsonArray list)
        {
            list = [];
            errors[field] = list;
        }

        list.Add(message);
    }

    private static IResult NotFound() => Json(new JsonObject { ["detail"] = "Not found." }, StatusCodes.Status404NotFound);
}
