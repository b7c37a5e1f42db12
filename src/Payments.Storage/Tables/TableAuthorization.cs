using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace Payments.Storage.Tables;

/// <summary>Adds the Authorization header to a request just before it is sent (each attempt anew).</summary>
internal interface ITableAuthorizer
{
    ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken);
}

/// <summary>
/// SharedKeyLite for the Table service: <c>StringToSign = x-ms-date + "\n" + CanonicalizedResource</c>,
/// where CanonicalizedResource is <c>"/" + account + encoded URI path</c> (plus <c>?comp=…</c> when the
/// request has a comp parameter). Path-style endpoints (Azurite) therefore name the account twice:
/// <c>/devstoreaccount1/devstoreaccount1/Tables</c>.
/// </summary>
internal sealed class SharedKeyLiteAuthorizer(string accountName, byte[] accountKey, TimeProvider clock) : ITableAuthorizer
{
    public ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var date = request.Headers.TryGetValues(TableHeaders.Date, out var dates) ? dates.First() : null;
        if (date is null)
        {
            date = FormatDate(clock.GetUtcNow());
            request.Headers.TryAddWithoutValidation(TableHeaders.Date, date);
        }

        var signature = Sign(accountKey, StringToSign(date, accountName, request.RequestUri!));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKeyLite", $"{accountName}:{signature}");
        return ValueTask.CompletedTask;
    }

    public static string FormatDate(DateTimeOffset now) => now.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    public static string StringToSign(string date, string accountName, Uri uri) => date + "\n" + CanonicalizedResource(accountName, uri);

    public static string CanonicalizedResource(string accountName, Uri uri)
    {
        var resource = "/" + accountName + uri.AbsolutePath;
        var query = uri.Query;
        if (query.Length > 1)
        {
            foreach (var pair in query[1..].Split('&'))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? pair : pair[..eq];
                if (string.Equals(name, "comp", StringComparison.OrdinalIgnoreCase))
                {
                    resource += "?comp=" + (eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]));
                    break;
                }
            }
        }

        return resource;
    }

    public static string Sign(byte[] key, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
}

/// <summary>Entra ID: a bearer token for <c>https://storage.azure.com/.default</c>, cached until 5 minutes before it expires.</summary>
internal sealed class BearerTokenAuthorizer(TokenCredential credential, TimeProvider clock) : ITableAuthorizer, IDisposable
{
    private static readonly string[] Scopes = ["https://storage.azure.com/.default"];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _token;

    public void Dispose() => _gate.Dispose();

    public async ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken);
        if (!request.Headers.Contains(TableHeaders.Date))
        {
            request.Headers.TryAddWithoutValidation(TableHeaders.Date, SharedKeyLiteAuthorizer.FormatDate(clock.GetUtcNow()));
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } cached && cached.ExpiresOn - clock.GetUtcNow() > TimeSpan.FromMinutes(5))
        {
            return cached.Token;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } again && again.ExpiresOn - clock.GetUtcNow() > TimeSpan.FromMinutes(5))
            {
                return again.Token;
            }

            var fresh = await credential.GetTokenAsync(new TokenRequestContext(Scopes), cancellationToken);
            _token = fresh;
            return fresh.Token;
        }
        finally
        {
            _gate.Release();
        }
    }
}

internal static class TableHeaders
{
    public const string Date = "x-ms-date";
    public const string Version = "x-ms-version";

    /// <summary>
    /// The REST version sent with every request: the one the Azure.Data.Tables SDK uses, accepted by Azure
    /// and by Azurite, and the first that allows Entra ID (OAuth) for tables.
    /// </summary>
    public const string ApiVersion = "2019-02-02";

    public const string DataServiceVersion = "DataServiceVersion";
    public const string MaxDataServiceVersion = "MaxDataServiceVersion";
    public const string Prefer = "Prefer";
    public const string ReturnNoContent = "return-no-content";
    public const string IfMatch = "If-Match";
    public const string ETag = "ETag";
    public const string NextPartitionKey = "x-ms-continuation-NextPartitionKey";
    public const string NextRowKey = "x-ms-continuation-NextRowKey";
    public const string NextTableName = "x-ms-continuation-NextTableName";
    public const string ErrorCode = "x-ms-error-code";

    public const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    public const string JsonNoMetadata = "application/json;odata=nometadata";
}
