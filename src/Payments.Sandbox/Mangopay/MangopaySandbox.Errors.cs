using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Payments.Sandbox.Mangopay;

/// <summary>Mangopay's token check, body reads and <c>{Message, Type, Id, Date, errors}</c> answers.</summary>
public static partial class MangopaySandbox
{
    /// <summary>A live Bearer token from the token endpoint, issued for the ClientId in the path.</summary>
    private static IResult? Authorize(HttpRequest request, string clientId, MangopaySandboxState state)
    {
        var token = Credentials(request, "Bearer")?.Trim();
        if (string.IsNullOrEmpty(token) || state.TokenClient(token) is not { } owner || owner != clientId)
        {
            return Error(state, StatusCodes.Status401Unauthorized, "not_authorized", "Your authorization do not allow you to access to this information", null);
        }

        return null;
    }

    private static bool TryBasic(string header, out string user, out string password)
    {
        user = password = string.Empty;
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task<(byte[]? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, MangopaySandboxState state, CancellationToken cancellationToken)
    {
        return await ReadBoundedAsync(request, MaxBodyBytes, cancellationToken) is { } raw
            ? (raw, null)
            : (null, Error(state, StatusCodes.Status413PayloadTooLarge, "param_error", "The request body is too large.", null));
    }

    /// <summary>The body as a JSON object with case-insensitive names (Mangopay's API binds them so), or null.</summary>
    private static JsonObject? ParseObject(byte[] raw)
    {
        try
        {
            return JsonNode.Parse(raw, new JsonNodeOptions { PropertyNameCaseInsensitive = true }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (int Status, string Json) ErrorBody(MangopaySandboxState state, int status, string type, string message, JsonObject? errors)
    {
        var now = state.Now();
        var body = new JsonObject
        {
            ["Message"] = message,
            ["Type"] = type,
            ["Id"] = $"{Guid.NewGuid():D}#{now.ToString(CultureInfo.InvariantCulture)}",
            ["Date"] = now,
            ["errors"] = errors,
        };
        return (status, body.ToJsonString());
    }

    private static IResult Error(MangopaySandboxState state, int status, string type, string message, JsonObject? errors)
    {
        var (code, json) = ErrorBody(state, status, type, message, errors);
        return Text(json, code);
    }

    private static (int Status, string Json) NotFoundBody(MangopaySandboxState state, string what, string id) =>
        ErrorBody(state, StatusCodes.Status404NotFound, "ressource_not_found", "The ressource does not exist",
            new JsonObject { ["RessourceNotFound"] = $"Cannot found the ressource {what} with the id={id} " });

    private static IResult NotFound(MangopaySandboxState state, string what, string id)
    {
        var (status, json) = NotFoundBody(state, what, id);
        return Text(json, status);
    }

    /// <summary>Mangopay's answers name their charset.</summary>
    private static IResult Json(JsonNode body, int status) => Text(body.ToJsonString(), status);

    private static IResult Text(string json, int status) => SandboxHttp.Json(json, status, "application/json; charset=utf-8");
}
