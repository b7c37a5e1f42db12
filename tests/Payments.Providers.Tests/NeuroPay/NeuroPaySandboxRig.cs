using Payments.Providers.NeuroPay;
using Payments.Providers.Tests.Sandbox;

namespace Payments.Providers.Tests.NeuroPay;

/// <summary>
/// What every Neuro-Pay sandbox round trip starts from: the sandbox on a real Kestrel port, the real provider pointed
/// at it, and a browser (HttpClient, no redirects or cookies) that opens checkout pages and presses their buttons.
/// </summary>
internal sealed class NeuroPaySandboxRig : IAsyncDisposable
{
    private NeuroPaySandboxRig(SandboxServer sandbox)
    {
        Sandbox = sandbox;
        BaseUrl = $"{sandbox.Address.AbsoluteUri.TrimEnd('/')}/sandbox/neuropay";
        Services = NeuroPayTestKit.Services(null, baseUrl: BaseUrl);
        Provider = Services.Provider();
    }

    public SandboxServer Sandbox { get; }

    /// <summary><c>{sandbox}/sandbox/neuropay</c>, the provider's base URL.</summary>
    public string BaseUrl { get; }

    public ServiceProvider Services { get; }

    public NeuroPayProvider Provider { get; }

    public HttpClient Browser { get; } = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    public static async Task<NeuroPaySandboxRig> StartAsync() => new(await SandboxServer.StartAsync());

    /// <summary>Opens <paramref name="order"/>'s checkout (default: the kit's order) and answers the order as created, with its checkout and page.</summary>
    public async Task<Order> OpenAsync(Order? order = null)
    {
        order ??= NeuroPayTestKit.Order();
        var session = await Provider.CreateSessionAsync(NeuroPayTestKit.SessionRequest(order), CancellationToken.None);
        return Opened(order, session);
    }

    /// <summary>Opens <paramref name="order"/>'s checkout and presses Pay on its page.</summary>
    public async Task<Order> PaidCheckoutAsync(Order? order = null)
    {
        var opened = await OpenAsync(order);
        await DecideAsync(opened.RedirectUrl!, "pay");
        return opened;
    }

    /// <summary>Opens the checkout page, presses a button, and returns where the browser is sent (a 303).</summary>
    public async Task<Uri> DecideAsync(string pageUrl, string decision, bool saveCard = false)
    {
        var page = await Browser.GetStringAsync(pageUrl);
        Assert.Contains($"value=\"{decision}\"", page, StringComparison.Ordinal);
        var fields = new List<KeyValuePair<string, string>> { new("decision", decision) };
        if (saveCard)
        {
            Assert.Contains("name=\"save_card\"", page, StringComparison.Ordinal);
            fields.Add(new("save_card", "true"));
        }

        using var answer = await Browser.PostAsync(pageUrl, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        return answer.Headers.Location!;
    }

    /// <summary><paramref name="order"/> as the host keeps it once <paramref name="session"/> was handed out.</summary>
    public static Order Opened(Order order, ProviderSession session) =>
        order with { ProviderReference = session.ProviderReference, RedirectUrl = session.RedirectUrl };

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await Services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
