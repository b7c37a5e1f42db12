using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Payments.Sandbox;

/// <summary>
/// The HTTP plumbing the provider simulators share: answers, the request's origin, bounded body reads and the
/// shopper's decision posted from a hosted page. What a provider answers (its error bodies, its pages) stays with it.
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
