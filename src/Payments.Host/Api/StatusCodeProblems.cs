using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Payments.Host.Api;

/// <summary>
/// The status-code pages: an error without a body under <c>/api</c> (routing's own 404 and 405, a bare status) is
/// an <c>application/problem+json</c> problem whatever the <c>Accept</c> header says; elsewhere (the sandbox's pages)
/// the framework's default page.
/// </summary>
public static class StatusCodeProblems
{
    private static readonly StatusCodePagesOptions Default = new();

    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            return Default.HandleAsync(context);
        }

        var status = http.Response.StatusCode;
        var result = status switch
        {
            StatusCodes.Status404NotFound => Problems.Problem(status, "not-found", "Not found.", "No such resource."),
            StatusCodes.Status405MethodNotAllowed => Problems.Problem(status, "method-not-allowed", "Method not allowed.",
                $"{http.Request.Method} is not allowed here."),
            _ => Problems.Problem(status, Slug(status), ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "Error."),
        };
        return result.ExecuteAsync(http);
    }

    /// <summary>"unsupported-media-type" for 415: the reason phrase, lower case, words joined by '-'.</summary>
    private static string Slug(int status) =>
        ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase
            ? string.Join('-', phrase.ToLowerInvariant().Split(' ', '-').Where(w => w.Length > 0)).Replace("'", string.Empty, StringComparison.Ordinal)
            : "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
