using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using System.Reflection;

namespace Payments.Host.Returns;

/// <summary>
/// What the shopper's browser gets when the return could not be recorded because storage (or the order) was not
/// available for a moment: a small page that tries the same return again by itself, until the store answers and
/// the usual <c>303</c> sends the shopper on. The return is idempotent (the provider's API decides; the same
/// transition twice is a no-op), so repeating it is safe.
/// </summary>
/// <remarks>
/// A GET return is repeated with <c>Refresh</c> (header and meta tag) and a link to the same URL. A POST return
/// (NEXT posts a urlencoded form with <c>response</c>) must bring the same evidence again, which a refresh (a GET)
/// would drop: the page holds the same fields in a form that posts itself to the same URL after a few seconds
/// (and a button, for a browser without scripts). <c>503</c> with <c>Retry-After</c>, never cached.
/// </remarks>
public sealed class ReturnRetryPage(string url, string method, IReadOnlyDictionary<string, string> form) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    /// <summary>Seconds before the page tries again.</summary>
    public const int RetrySeconds = 3;

    /// <summary>The same return URL (path and query), relative to this host.</summary>
    public string Url { get; } = url;

    /// <summary>True when the page re-posts the form fields (the return was a form POST).</summary>
    public bool Reposts { get; } = HttpMethods.IsPost(method);

    public IReadOnlyDictionary<string, string> Form { get; } = form;

    public int? StatusCode => StatusCodes.Status503ServiceUnavailable;

    /// <summary>The page for <paramref name="request"/>, carrying the form fields it brought.</summary>
    public static ReturnRetryPage For(HttpRequest request, IReadOnlyDictionary<string, string> form) =>
        new($"{request.PathBase}{request.Path}{request.QueryString}", request.Method, form);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var seconds = RetrySeconds.ToString(CultureInfo.InvariantCulture);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = seconds;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Robots-Tag"] = "noindex";
        if (!Reposts)
        {
            response.Headers["Refresh"] = seconds;
        }

        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(Html(), Encoding.UTF8, httpContext.RequestAborted);
    }

    /// <summary>The page itself.</summary>
    public string Html()
    {
        var url = WebUtility.HtmlEncode(Url);
        var seconds = RetrySeconds.ToString(CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">");
        if (!Reposts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{seconds}\">");
        }

        html.Append("<title>Confirming your payment</title></head>\n<body>\n<h1>Confirming your payment…</h1>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>We could not record the result of your payment just now. This page tries again by itself in {seconds} seconds. Please do not pay again.</p>\n");
        if (Reposts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<form id=\"retry\" method=\"post\" action=\"{url}\">\n");
            foreach (var (name, value) in Form)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(name)}\" value=\"{WebUtility.HtmlEncode(value)}\">\n");
            }

            html.Append("<button type=\"submit\">Try again now</button>\n</form>\n");
            html.Append(CultureInfo.InvariantCulture,
                $"<script>setTimeout(function () {{ document.getElementById('retry').submit(); }}, {RetrySeconds * 1000});</script>\n");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{url}\">Try again now</a></p>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(string), ["text/html"]));
}
