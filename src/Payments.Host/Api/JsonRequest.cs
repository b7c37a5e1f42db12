using Microsoft.AspNetCore.Http.HttpResults;

namespace Payments.Host.Api;

/// <summary>The one way a merchant endpoint reads a JSON body: media type, size limit, strict parsing, each failure a problem.</summary>
public static class JsonRequest
{
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!RequestBody.IsJson(request))
        {
            return (null, Problems.UnsupportedMediaType("application/json"));
        }

        var (bytes, unread) = await RequestBody.ReadAsync(request, RequestBody.MaxApiBodyBytes, cancellationToken);
        if (bytes is null)
        {
            return (null, unread);
        }

        var (body, error) = RequestBody.Deserialize<T>(bytes);
        return body is null ? (null, Problems.MalformedJson(error!)) : (body, null);
    }

    /// <summary>
    /// A JSON body that may be left out: an empty body is <paramref name="empty"/>; one that is there must be JSON (415
    /// otherwise) and read as <typeparamref name="T"/> (400 otherwise), as <see cref="ReadAsync{T}"/> reads a required one.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadOptionalAsync<T>(HttpRequest request, T empty, CancellationToken cancellationToken)
        where T : class
    {
        var (bytes, unread) = await RequestBody.ReadAsync(request, RequestBody.MaxApiBodyBytes, cancellationToken);
        if (bytes is null)
        {
            return (null, unread);
        }

        if (bytes.Length == 0)
        {
            return (empty, null);
        }

        if (!RequestBody.IsJson(request))
        {
            return (null, Problems.UnsupportedMediaType("application/json"));
        }

        var (body, error) = RequestBody.Deserialize<T>(bytes);
        return body is null ? (null, Problems.MalformedJson(error!)) : (body, null);
    }
}
