using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace Payments.Messaging.ServiceBus;

/// <summary>Makes the Authorization header value for a request to one entity.</summary>
public interface IServiceBusTokenProvider
{
    /// <param name="resource">The entity's address, e.g. <c>https://ns.servicebus.windows.net/payment-events</c>.</param>
    ValueTask<string> GetAuthorizationAsync(Uri resource, CancellationToken cancellationToken);
}

/// <summary>
/// Shared Access Signature tokens from a key: <c>StringToSign = URL-encoded(lower-cased resource URI) + "\n" + expiry</c>
/// (Unix seconds), signed with HMAC-SHA256 keyed by the UTF-8 bytes of the key string as it is (not base64-decoded);
/// the header is <c>SharedAccessSignature sr={encoded resource}&amp;sig={URL-encoded base64 signature}&amp;se={expiry}&amp;skn={key name}</c>.
/// Tokens are cached per resource and renewed once less than <see cref="RenewBefore"/> of their life is left.
/// </summary>
public sealed class SasTokenProvider : IServiceBusTokenProvider
{
    /// <summary>How long a new token is valid.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>A cached token is replaced when it has less than this left.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly string _keyName;
    private readonly byte[] _key;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _cache = new(StringComparer.Ordinal);

    public SasTokenProvider(string keyName, string key, TimeProvider? clock = null, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        _keyName = keyName;
        _key = Encoding.UTF8.GetBytes(key);
        _clock = clock ?? TimeProvider.System;
        _lifetime = lifetime ?? DefaultLifetime;
        if (_lifetime <= RenewBefore)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), $"A SAS token must live longer than {RenewBefore}.");
        }
    }

    public ValueTask<string> GetAuthorizationAsync(Uri resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var now = _clock.GetUtcNow();
        var key = resource.AbsoluteUri;
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt - now > RenewBefore)
        {
            return ValueTask.FromResult(cached.Token);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((now + _lifetime).ToUnixTimeSeconds());
        var token = CreateToken(resource.AbsoluteUri, _keyName, _key, expiresAt);
        _cache[key] = (token, expiresAt);
        return ValueTask.FromResult(token);
    }

    /// <summary>One token for <paramref name="resourceUri"/>, valid until <paramref name="expiresAt"/> (whole seconds).</summary>
    public static string CreateToken(string resourceUri, string keyName, string key, DateTimeOffset expiresAt) =>
        CreateToken(resourceUri, keyName, Encoding.UTF8.GetBytes(key), expiresAt);

    private static string CreateToken(string resourceUri, string keyName, byte[] key, DateTimeOffset expiresAt)
    {
        var encodedResource = WebUtility.UrlEncode(resourceUri.ToLowerInvariant());
        var expiry = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={WebUtility.UrlEncode(keyName)}";
    }

    public override string ToString() => $"SAS ({_keyName})";
}

/// <summary>
/// Microsoft Entra ID: <c>Bearer</c> tokens for <c>https://servicebus.azure.net/.default</c> from a
/// <see cref="TokenCredential"/> (managed identity in Azure), cached until 5 minutes before they expire.
/// </summary>
public sealed class EntraTokenProvider(TokenCredential credential, TimeProvider? clock = null) : IServiceBusTokenProvider, IDisposable
{
    public const string Scope = "https://servicebus.azure.net/.default";

    private static readonly string[] Scopes = [Scope];
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _token;

    public async ValueTask<string> GetAuthorizationAsync(Uri resource, CancellationToken cancellationToken)
    {
        if (Fresh() is { } token)
        {
            return "Bearer " + token;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } again)
            {
                return "Bearer " + again;
            }

            var fresh = await credential.GetTokenAsync(new TokenRequestContext(Scopes), cancellationToken);
            _token = fresh;
            return "Bearer " + fresh.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private string? Fresh() =>
        _token is { } t && t.ExpiresOn - _clock.GetUtcNow() > SasTokenProvider.RenewBefore ? t.Token : null;

    public override string ToString() => "Entra ID";
}
