using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Payments.Providers.Tests.Sandbox;
using Payments.Sandbox.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>
/// The sandbox in a real Kestrel on 127.0.0.1, with a stand-in hook receiver at <c>/hooks/mangopay</c> (set as the
/// sandbox's <c>HookUrl</c>) that records every hook it gets, and a browser (no redirects) for the hosted TWINT page.
/// </summary>
internal sealed partial class MangopaySandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Dictionary<string, string>> _hooks;
    private readonly SemaphoreSlim _hookArrived;

    private MangopaySandboxServer(WebApplication app, Uri address, ConcurrentQueue<Dictionary<string, string>> hooks, SemaphoreSlim hookArrived)
    {
        _app = app;
        Address = address;
        _hooks = hooks;
        _hookArrived = hookArrived;
    }

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri Address { get; }

    public string BaseUrl => $"{Address.AbsoluteUri.TrimEnd('/')}/sandbox/mangopay";

    public MangopaySandboxState State => _app.Services.GetRequiredService<MangopaySandboxState>();

    /// <summary>The shopper's browser: it does not follow the page's redirect, so a test sees where it is sent.</summary>
    public HttpClient Browser { get; } = new(new HttpClientHandler { AllowAutoRedirect = false });

    public static async Task<MangopaySandboxServer> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var config = new Dictionary<string, string?> { ["Sandbox:Mangopay:HookUrl"] = "/hooks/mangopay" };
        foreach (var (k, v) in settings ?? [])
        {
            config[k] = v;
        }

        var hooks = new ConcurrentQueue<Dictionary<string, string>>();
        var arrived = new SemaphoreSlim(0);
        var (app, address) = await SandboxServer.StartAppAsync(
            builder => builder.Configuration.AddInMemoryCollection(config),
            app => app.MapGet("/hooks/mangopay", (HttpRequest request) =>
            {
                hooks.Enqueue(request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal));
                arrived.Release();
                return Results.Ok();
            }));
        return new MangopaySandboxServer(app, address, hooks, arrived);
    }

    /// <summary>The real client, configured as <c>SandboxDefaults</c> would configure it, pointed at this sandbox.</summary>
    public ServiceProvider ClientServices() => MangopayTestKit.Services(null, s =>
    {
        s["Providers:Mangopay:ClientId"] = MangopayOptionsDefaults.ClientId;
        s["Providers:Mangopay:ApiKey"] = MangopayOptionsDefaults.ApiKey;
    }, baseUrl: BaseUrl);

    /// <summary>A plain HTTP client on <c>{BaseUrl}/v2.01/</c> with a token from the sandbox's token endpoint.</summary>
    public async Task<HttpClient> AuthorizedApiAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri($"{BaseUrl}/v2.01/") };
        using var request = TokenRequest(MangopayOptionsDefaults.ClientId, MangopayOptionsDefaults.ApiKey);
        using var answer = await http.SendAsync(request);
        var token = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>
    /// Opens <paramref name="order"/>'s pay-in with the provider in <paramref name="services"/> and presses
    /// <paramref name="decision"/> on its page; answers the session and where the browser was sent back to.
    /// </summary>
    public async Task<(ProviderSession Session, Uri Back)> CheckoutAsync(IServiceProvider services, Order order, string decision)
    {
        var session = await services.Provider().CreateSessionAsync(MangopayTestKit.SessionRequest(order), CancellationToken.None);
        return (session, await DecideAsync(session.RedirectUrl, decision));
    }

    /// <summary>Presses a button on the hosted page; returns where the sandbox redirects the browser (a 302 to the return URL).</summary>
    public async Task<Uri> DecideAsync(string redirectUrl, string decision)
    {
        var page = await Browser.GetStringAsync(redirectUrl);
        Assert.Matches(FormTag(), page);
        using var answer = await Browser.PostAsync(redirectUrl, Form(decision));
        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        return answer.Headers.Location!;
    }

    public static FormUrlEncodedContent Form(string decision) => new([new KeyValuePair<string, string>("decision", decision)]);

    /// <summary>The query of the URL the browser was sent back to, as the return endpoint reads it.</summary>
    public static Dictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);

    /// <summary>A token request (<c>POST oauth/token</c>, Basic <paramref name="user"/>:<paramref name="password"/>), relative to <c>{BaseUrl}/v2.01/</c>.</summary>
    public static HttpRequestMessage TokenRequest(string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return request;
    }

    /// <summary>The next hook the stand-in receiver got (waits up to 5 s).</summary>
    public async Task<Dictionary<string, string>> NextHookAsync()
    {
        Assert.True(await _hookArrived.WaitAsync(TimeSpan.FromSeconds(5)), "no hook arrived");
        Assert.True(_hooks.TryDequeue(out var hook));
        return hook;
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _hookArrived.Dispose();
    }

    [GeneratedRegex("<form method=\"post\" action=\"\">", RegexOptions.CultureInvariant)]
    private static partial Regex FormTag();
}
