using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Payments.Host.Tests.Contract;

/// <summary>
/// A provider that misbehaves on cue: a loopback proxy in front of a sandbox that forwards every request as it is, until a
/// test makes it answer with a status of its choosing (<see cref="FailWith"/>) or hold the requests to one path until released
/// (<see cref="Hold"/>), so that the provider failures and in-flight states the API documents can be reached on purpose.
/// </summary>
public sealed class FaultyUpstream : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly string _target;
    private (string Path, TaskCompletionSource Release, TaskCompletionSource Arrived)? _hold;

    private FaultyUpstream(WebApplication app, string target)
    {
        _app = app;
        _target = target.TrimEnd('/');
    }

    /// <summary>The proxy's base URL: give it to the provider as its BaseUrl.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>When set, every request is answered with this status (and an empty JSON object) without reaching the sandbox.</summary>
    public HttpStatusCode? FailWith { get; set; }

    public static async Task<FaultyUpstream> StartAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new FaultyUpstream(app, target);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        upstream.Url = app.Urls.Single().TrimEnd('/');
        return upstream;
    }

    /// <summary>Holds requests whose path ends with <paramref name="pathSuffix"/> until the returned release is completed; <c>Arrived</c> completes when the first one is held.</summary>
    public (TaskCompletionSource Release, Task Arrived) Hold(string pathSuffix)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hold = (pathSuffix, release, arrived);
        return (release, arrived.Task);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (FailWith is { } status)
        {
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}");
            return;
        }

        if (_hold is { } hold && context.Request.Path.Value!.EndsWith(hold.Path, StringComparison.Ordinal))
        {
            hold.Arrived.TrySetResult();
            await hold.Release.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), _target + context.Request.Path + context.Request.QueryString);
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (body.Length > 0 || context.Request.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!HopByHop.Contains(name) && !request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await _forward.SendAsync(request);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body);
    }

    public async ValueTask DisposeAsync()
    {
        _hold?.Release.TrySetResult();
        _forward.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
