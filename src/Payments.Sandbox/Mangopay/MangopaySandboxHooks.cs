using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Payments.Sandbox.Mangopay;

/// <summary>
/// Sends Mangopay hooks as Mangopay does: <c>GET {HookUrl}?EventType=…&amp;RessourceId=…&amp;Date=…</c>, unsigned,
/// expecting a 200 within 2 seconds. The URL is per platform (<see cref="MangopaySandboxOptions.HookUrl"/>), by default
/// <c>/api/webhooks/mangopay</c> on the origin the simulator was called on.
/// </summary>
public sealed class MangopaySandboxHooks(IHttpClientFactory httpClients, MangopaySandboxState state, ILogger<MangopaySandboxHooks> logger)
{
    public const string DefaultHookPath = "/api/webhooks/mangopay";

    /// <summary>Mangopay wants an answer within 2 s; the simulator waits a little longer before calling it a failure.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>The configured URL; a path (starting with '/') is taken on <paramref name="origin"/>, as is the default.</summary>
    public string HookUrl(string origin)
    {
        var configured = state.Options.HookUrl;
        return string.IsNullOrWhiteSpace(configured) ? $"{origin.TrimEnd('/')}{DefaultHookPath}"
            : configured.StartsWith('/') ? $"{origin.TrimEnd('/')}{configured}"
            : configured;
    }

    /// <summary>Sends the hook and reports the URL and the answer's status (or the error). Never throws.</summary>
    public async Task<(string Url, int? StatusCode, string? Error)> SendAsync(string origin, string eventType, string resourceId, CancellationToken cancellationToken)
    {
        var url = QueryHelpers.AddQueryString(HookUrl(origin), new Dictionary<string, string?>
        {
            ["EventType"] = eventType,
            ["RessourceId"] = resourceId,
            ["Date"] = state.Now().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            using var response = await httpClients.CreateClient(MangopaySandbox.HookClientName).GetAsync(url, timeout.Token);
            logger.LogInformation("Mangopay sandbox hook {EventType} for {ResourceId} answered {StatusCode}", eventType, resourceId, (int)response.StatusCode);
            return (url, (int)response.StatusCode, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            logger.LogWarning("Mangopay sandbox hook {EventType} for {ResourceId} failed: {Error}", eventType, resourceId, ex.GetType().Name);
            return (url, null, ex.GetType().Name);
        }
    }

    /// <summary>Fires the hook without holding up the shopper's redirect, as Mangopay's hooks arrive on their own.</summary>
    public void SendInBackground(string origin, string eventType, string resourceId) =>
        _ = Task.Run(() => SendAsync(origin, eventType, resourceId, CancellationToken.None));
}
