using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Payments.Sandbox;

namespace Payments.Providers.Tests.Twisto;

/// <summary>
/// The sandbox in a real Kestrel on 127.0.0.1 with Twisto sandbox settings, plus a webhook sink at <c>/hooks</c>
/// that the simulated Twisto posts to (<c>Sandbox:Twisto:WebhookUrl</c>).
/// </summary>
internal sealed class TwistoSandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TwistoSandboxServer(WebApplication app, Uri address, ConcurrentQueue<string> hooks)
    {
        _app = app;
        Address = address;
        Hooks = hooks;
    }

    public Uri Address { get; }

    public string BaseUrl => $"{Address.AbsoluteUri.TrimEnd('/')}/sandbox/twisto";

    /// <summary>Webhook bodies received, in order.</summary>
    public ConcurrentQueue<string> Hooks { get; }

    public static async Task<TwistoSandboxServer> StartAsync(bool immediateCapture = true)
    {
        var port = Payments.Testing.LoopbackPorts.Free();
        var address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(address.AbsoluteUri);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Twisto:WebhookUrl"] = $"{address.AbsoluteUri.TrimEnd('/')}/hooks",
            ["Sandbox:Twisto:ImmediateCapture"] = immediateCapture ? "true" : "false",
        });
        builder.Services.AddSandbox();
        var app = builder.Build();
        app.MapSandbox();
        var hooks = new ConcurrentQueue<string>();
        app.MapPost("/hooks", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            hooks.Enqueue(await reader.ReadToEndAsync());
            return Results.Ok();
        });
        await app.StartAsync();
        return new TwistoSandboxServer(app, address, hooks);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
