using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

/// <summary>
/// Mangopay's OAuth client-credentials token, fetched once and shared by every call until shortly before it expires
/// (Mangopay: "overuse of the OAuth token endpoint may result in rate limiting or blocking"; renew about 30 s before
/// expiry). Concurrent callers wait for one fetch. A 401 on an API call drops the token it used
/// (<see cref="Invalidate"/>), so the next call fetches a new one. New credentials (a reloaded configuration) never
/// reuse an old token.
/// </summary>
public sealed class MangopayTokens(
    IHttpClientFactory httpClients,
    IOptionsMonitor<MangopayOptions> options,
    TimeProvider clock,
    ILogger<MangopayTokens> logger) : IDisposable
{
    /// <summary>A token is renewed this long before Mangopay says it expires (or halfway through a shorter life).</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ProviderJson _json = new(MangopayProvider.ProviderName, MangopayJson.Options);
    private MangopayAccessToken? _current;

    /// <summary>The token to send now: the cached one while it is fresh, else a new one from the token endpoint.</summary>
    /// <exception cref="ProviderException">The token endpoint refused, failed or answered with something unusable.</exception>
    public async Task<MangopayAccessToken> GetAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (Fresh(Volatile.Read(ref _current), settings) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(Volatile.Read(ref _current), settings) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            var token = await FetchAsync(settings, cancellationToken);
            Volatile.Write(ref _current, token);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets <paramref name="token"/> (Mangopay refused it), unless a newer one has replaced it already.</summary>
    public void Invalidate(MangopayAccessToken token) => Interlocked.CompareExchange(ref _current, null, token);

    public void Dispose() => _gate.Dispose();

    /// <summary>The token endpoint: <see cref="MangopayOptions.TokenPath"/> under <see cref="MangopayOptions.BaseUrl"/>.</summary>
    public static Uri TokenUri(MangopayOptions settings) =>
        new($"{settings.BaseUrl.TrimEnd('/')}/{settings.TokenPath.TrimStart('/')}", UriKind.Absolute);

    private MangopayAccessToken? Fresh(MangopayAccessToken? token, MangopayOptions settings) =>
        token is not null && ReferenceEquals(token.IssuedFor, settings) && clock.GetUtcNow() < token.RefreshAt ? token : null;

    private async Task<MangopayAccessToken> FetchAsync(MangopayOptions settings, CancellationToken cancellationToken)
    {
        var requestedAt = clock.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenUri(settings))
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.ClientId}:{settings.ApiKey}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // Asking for a token twice has no effect beyond the second token: safe to repeat after a failure.
        request.MarkSafeToRetry();

        using var response = await httpClients.CreateClient(MangopayClient.HttpClientName).SendAsync(request, cancellationToken);
        var body = await _json.ReadAsync<MangopayToken>(response, cancellationToken);
        if (string.IsNullOrWhiteSpace(body.AccessToken) || body.AccessToken.Any(char.IsWhiteSpace))
        {
            throw _json.Invalid(response, "access_token is missing", null, null);
        }

        if (body.ExpiresIn is not (> 0 and <= 366L * 24 * 3600))
        {
            throw _json.Invalid(response, "expires_in is missing or not a positive number of seconds", null, null);
        }

        var scheme = body.TokenType is { Length: > 0 } type && !type.Any(char.IsWhiteSpace) ? type : "Bearer";
        var lifetime = TimeSpan.FromSeconds(body.ExpiresIn.Value);
        var margin = lifetime / 2 < RefreshMargin ? lifetime / 2 : RefreshMargin;
        logger.LogInformation("Fetched a Mangopay access token valid for {Lifetime}", lifetime);
        return new MangopayAccessToken(scheme, body.AccessToken, requestedAt + lifetime - margin, settings);
    }
}

/// <summary>An access token as cached. A class whose <see cref="ToString"/> hides the token.</summary>
public sealed class MangopayAccessToken(string scheme, string value, DateTimeOffset refreshAt, MangopayOptions issuedFor)
{
    /// <summary>When it stops being used (a little before Mangopay's expiry).</summary>
    public DateTimeOffset RefreshAt { get; } = refreshAt;

    internal MangopayOptions IssuedFor { get; } = issuedFor;

    /// <summary>A new header per request: <c>Authorization: Bearer {access_token}</c>.</summary>
    public AuthenticationHeaderValue Header() => new(scheme, value);

    public override string ToString() => $"MangopayAccessToken {{ Scheme = {scheme}, RefreshAt = {RefreshAt:O} }}";
}
