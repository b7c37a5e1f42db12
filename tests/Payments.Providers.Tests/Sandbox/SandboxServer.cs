using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSandbox();
        var app = builder.Build();
        app.MapSandbox();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SandboxServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
