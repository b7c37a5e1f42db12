using System.Text.RegularExpressions;
using Payments.Providers.Next;
using Payments.Providers.Tests.Next;

namespace Payments.Providers.Tests.Sandbox;

/// <summary>
/// What every NEXT sandbox round trip starts from: the sandbox on a real Kestrel port, the real provider pointed at it,
/// and a browser that presses the hosted page's buttons and reads the auto-submitting return form NEXT answers with.
/// </summary>
internal sealed partial class NextSandboxRig : IAsyncDisposable
{
    private NextSandboxRig(SandboxServer sandbox)
    {
        Sandbox = sandbox;
        Services = NextTestKit.Services(null, baseUrl: sandbox.NextBaseUrl);
        Provider = Services.Provider();
    }

    public SandboxServer Sandbox { get; }

    public ServiceProvider Services { get; }

    public NextProvider Provider { get; }

    public NextClient Client => Services.GetRequiredService<NextClient>();

    public HttpClient Browser { get; } = new();

    public static async Task<NextSandboxRig> StartAsync() => new(await SandboxServer.StartAsync());

    /// <summary>Opens <paramref name="order"/>'s payment page (default: the kit's order).</summary>
    public Task<ProviderSession> OpenAsync(Order? order = null) =>
        Provider.CreateSessionAsync(NextTestKit.SessionRequest(order ?? NextTestKit.Order()), CancellationToken.None);

    /// <summary>Opens <paramref name="order"/>'s payment page, presses Pay, and answers the <c>response</c> the return form posts.</summary>
    public async Task<string> PaidCheckoutAsync(Order? order = null)
    {
        var session = await OpenAsync(order);
        var (_, response) = await DecideAsync(session.RedirectUrl, "pay");
        return response;
    }

    /// <summary>Presses <paramref name="decision"/> on the page: NEXT answers with a form that posts <c>response</c> back to the return URL.</summary>
    public async Task<(string Action, string Response)> DecideAsync(string pageUrl, string decision)
    {
        using var result = await Browser.PostAsync(pageUrl, Form(decision));
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var html = await result.Content.ReadAsStringAsync();
        Assert.Contains(".submit()", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\">", html, StringComparison.Ordinal);
        Assert.Contains("enctype=\"application/x-www-form-urlencoded\"", html, StringComparison.Ordinal);
        return ParseReturnForm(html);
    }

    /// <summary>The auto-submitting form, read as a browser would post it: its action and its one field.</summary>
    public static (string Action, string Response) ParseReturnForm(string html)
    {
        var form = ReturnForm().Match(html);
        Assert.True(form.Success, "no return form in the page");
        var fields = Field().Matches(form.Groups["body"].Value);
        var field = Assert.Single(fields);
        Assert.Equal("response", WebUtility.HtmlDecode(field.Groups["name"].Value));
        return (WebUtility.HtmlDecode(form.Groups["action"].Value), WebUtility.HtmlDecode(field.Groups["value"].Value));
    }

    public static FormUrlEncodedContent Form(string decision) => new([new("decision", decision)]);

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await Services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    [GeneratedRegex("<form[^>]*\\smethod=\"post\"[^>]*\\saction=\"(?<action>[^\"]*)\"[^>]*>(?<body>.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex ReturnForm();

    [GeneratedRegex("<input[^>]*\\sname=\"(?<name>[^\"]*)\"[^>]*\\svalue=\"(?<value>[^\"]*)\"", RegexOptions.Singleline)]
    private static partial Regex Field();
}
