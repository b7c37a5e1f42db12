using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Payments.Messaging.Webhooks;

namespace Payments.Host.Tests;

/// <summary>
/// A storefront's webhook endpoint on a real Kestrel port: it checks every delivery with the messaging library's
/// Standard Webhooks verifier and keeps what arrived. Answers 200 unless <see cref="Answer"/> says otherwise.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url, WebhookSecret secret)
    {
        _app = app;
        Url = url;
        Secret = secret;
    }

    /// <param name="TraceParent">The W3C <c>traceparent</c> header the delivery came with, if any.</param>
    public sealed record Delivery(string WebhookId, WebhookVerification Verification, JsonObject Body, string? TraceParent = null);

    public Uri Url { get; }

    public WebhookSecret Secret { get; }

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>The status to answer with (200 by default).</summary>
    public Func<Delivery, int> Answer { get; set; } = _ => StatusCodes.Status200OK;

    /// <summary>Settings that point the app's fan-out at this receiver.</summary>
    public Dictionary<string, string?> Settings(string name = "shop") => new()
    {
        ["Webhooks:Endpoints:0:Name"] = name,
        ["Webhooks:Endpoints:0:Url"] = Url.AbsoluteUri,
        ["Webhooks:Endpoints:0:Secret"] = Secret.Serialize(),
    };

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var secret = WebhookSecret.Generate();
        var verifier = new WebhookVerifier();
        WebhookReceiver? receiver = null;
        app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var headers = context.Request.Headers;
            var delivery = new Delivery(headers["webhook-id"].ToString(),
                verifier.Verify(secret, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], body),
                JsonNode.Parse(Encoding.UTF8.GetString(body))!.AsObject(),
                headers.TryGetValue("traceparent", out var traceParent) ? traceParent.ToString() : null);
            receiver!.Deliveries.Enqueue(delivery);
            context.Response.StatusCode = receiver.Answer(delivery);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address.TrimEnd('/') + "/hooks"), secret);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
