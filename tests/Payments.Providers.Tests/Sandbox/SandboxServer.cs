using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Payments.Sandbox;

namespace Payments.Providers.Tests.Sandbox;

/// <summary>The sandbox in a real Kestrel on 127.0.0.1 with a free port: a minimal app mounting only the simulators.</summary>
internal sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>http://127.0.0.1:{port}</summary>
    public Uri Address { get; }

    public string NextBaseUrl => $"{Address.AbsoluteUri.TrimEnd('/')}/sandbox/next";

    public static async Task<SandboxServer> StartAsync()
    {
        var (app, address) = await StartAppAsync();
        return new SandboxServer(app, address);
    }

    /// <summary>
    /// Starts a slim app on 127.0.0.1 with a free port and the simulators mounted, plus what <paramref name="configure"/>
    /// (settings) and <paramref name="map"/> (stand-in receivers) add; answers the app and the address it listens on.
    /// </summary>
    public static async Task<(WebApplication App, Uri Address)> StartAppAsync(Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        configure?.Invoke(builder);
        builder.Logging.ClearProviders();
        builder.Services.AddSandbox();
        var app = builder.Build();
        app.MapSandbox();
        map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
