using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Payments.Testing.Http;

/// <summary>
/// A fake <see cref="HttpMessageHandler"/> for client tests through real DI: plug it in as the primary handler
/// (<c>services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => handler)</c>), script its answers in
/// order, then assert on <see cref="Requests"/>. Everything above it (retries, error mapping) runs for real, so
/// a retried call shows up as several captured requests.
/// </summary>
public sealed class CapturingHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>>> _script = new();
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();
    private Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>>? _otherwise;

    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    public int Count => _requests.Count;

    /// <summary>The only request so far (fails when there were none or several).</summary>
    public CapturedRequest OnlyRequest() => Xunit.Assert.Single(Requests);

    /// <summary>Answers the next request with <paramref name="status"/> and an optional JSON body.</summary>
    public CapturingHandler Respond(HttpStatusCode status, string? json = null, Action<HttpResponseMessage>? configure = null) =>
        Respond((_, _) =>
        {
            var response = new HttpResponseMessage(status);
            if (json is not null)
            {
                response.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            configure?.Invoke(response);
            return Task.FromResult(response);
        });

    /// <summary>Answers the next request with whatever <paramref name="responder"/> does (it may throw or wait).</summary>
    public CapturingHandler Respond(Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>> responder)
    {
        _script.Enqueue(responder);
        return this;
    }

    /// <summary>The next request fails as if the network were down.</summary>
    public CapturingHandler FailWithNetworkError() =>
        Respond((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused (fake)")));

    /// <summary>The next request never gets an answer: it waits until the caller (or a timeout) cancels it.</summary>
    public CapturingHandler Hang() =>
        Respond(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });

    /// <summary>How to answer once the script is used up (by default such a request fails the test).</summary>
    public CapturingHandler Otherwise(HttpStatusCode status, string? json = null)
    {
        _otherwise = (_, _) => Task.FromResult(new HttpResponseMessage(status)
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values);
        }

        string? body = null;
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                headers[name] = string.Join(", ", values);
            }

            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        var captured = new CapturedRequest(request.Method, request.RequestUri!, headers, body);
        _requests.Enqueue(captured);
        var responder = _script.TryDequeue(out var next)
            ? next
            : _otherwise ?? throw new InvalidOperationException($"Unexpected request {request.Method} {request.RequestUri}: the script is used up.");
        var response = await responder(captured, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }
}
