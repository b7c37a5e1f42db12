using Microsoft.AspNetCore.Http.Metadata;
using System.Reflection;

namespace Payments.Host.Api;

/// <summary>
/// <c>303 See Other</c>: after a POST (NEXT's return is a form POST) the browser must follow with a GET.
/// <see cref="TypedResults.Redirect(string, bool, bool)"/> offers only 302, 307 and 308.
/// </summary>
public sealed class SeeOtherHttpResult(string location) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public string Location { get; } = location;

    public int? StatusCode => StatusCodes.Status303SeeOther;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        httpContext.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status303SeeOther, typeof(void)));
}
