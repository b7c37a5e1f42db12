using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Payments.Host.Api;

/// <summary>A problem answer with <c>Retry-After</c> (seconds): the caller should send the same request again then.</summary>
public sealed class RetryAfterResult(ProblemHttpResult problem, int retryAfterSeconds) : IResult, IStatusCodeHttpResult
{
    public ProblemHttpResult Problem { get; } = problem;

    public int RetryAfterSeconds { get; } = retryAfterSeconds;

    public int? StatusCode => Problem.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        httpContext.Response.Headers.CacheControl = "no-store";
        return Problem.ExecuteAsync(httpContext);
    }
}
