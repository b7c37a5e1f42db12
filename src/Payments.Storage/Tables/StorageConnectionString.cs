namespace Payments.Storage.Tables;

/// <summary>
/// The parts of an Azure Storage connection string the table client needs. Accepts
/// <c>UseDevelopmentStorage=true</c> (Azurite's path-style endpoint <c>http://127.0.0.1:10002/devstoreaccount1</c>)
/// and <c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;</c> with either <c>TableEndpoint=…</c> or
/// <c>EndpointSuffix=…</c>. <see cref="ToString"/> never shows the key.
/// </summary>
public sealed class StorageConnectionString
{
    /// <summary>The emulator's well-known account (public, documented; not a secret).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known key (public, documented; not a secret).</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(string accountName, byte[] accountKey, Uri tableEndpoint)
    {
        AccountName = accountName;
        AccountKey = accountKey;
        TableEndpoint = tableEndpoint;
    }

    public string AccountName { get; }

    /// <summary>The table service endpoint, without a trailing slash (path-style for Azurite).</summary>
    public Uri TableEndpoint { get; }

    internal byte[] AccountKey { get; }

    public static StorageConnectionString Parse(string connectionString)
    {
        if (!TryParse(connectionString, out var parsed, out var error))
        {
            throw new FormatException($"The storage connection string is invalid: {error}");
        }

        return parsed;
    }

    /// <summary>Parses without throwing; <paramref name="error"/> never repeats the key.</summary>
    public static bool TryParse(string? connectionString, out StorageConnectionString parsed, out string error)
    {
        parsed = null!;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "it is empty.";
            return false;
        }

        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = "every part must be Name=Value.";
                return false;
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            var proxy = parts.TryGetValue("DevelopmentStorageProxyUri", out var p) && Uri.TryCreate(p, UriKind.Absolute, out var proxyUri)
                ? proxyUri
                : new Uri("http://127.0.0.1");
            var endpoint = new Uri($"{proxy.Scheme}://{proxy.Host}:10002/{DevelopmentAccountName}");
            parsed = new StorageConnectionString(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), endpoint);
            error = string.Empty;
            return true;
        }

        if (parts.ContainsKey("SharedAccessSignature"))
        {
            error = "SharedAccessSignature connection strings are not supported; use an account key or Storage:TableServiceUri with Entra ID.";
            return false;
        }

        if (!parts.TryGetValue("AccountName", out var account) || string.IsNullOrEmpty(account))
        {
            error = "AccountName is missing.";
            return false;
        }

        if (!parts.TryGetValue("AccountKey", out var keyText) || string.IsNullOrEmpty(keyText))
        {
            error = "AccountKey is missing.";
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(keyText);
        }
        catch (FormatException)
        {
            error = "AccountKey is not valid base64.";
            return false;
        }

        Uri? tableEndpoint;
        if (parts.TryGetValue("TableEndpoint", out var te) && !string.IsNullOrEmpty(te))
        {
            if (!Uri.TryCreate(te.TrimEnd('/'), UriKind.Absolute, out tableEndpoint) || tableEndpoint.Scheme is not ("http" or "https"))
            {
                error = "TableEndpoint is not an absolute http(s) URI.";
                return false;
            }
        }
        else
        {
            var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
            var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
            if (protocol is not ("http" or "https") || !Uri.TryCreate($"{protocol}://{account}.table.{suffix}", UriKind.Absolute, out tableEndpoint))
            {
                error = "DefaultEndpointsProtocol/EndpointSuffix do not make a valid endpoint.";
                return false;
            }
        }

        parsed = new StorageConnectionString(account, key, tableEndpoint);
        error = string.Empty;
        return true;
    }

    public override string ToString() => $"AccountName={AccountName};TableEndpoint={TableEndpoint};AccountKey=***";
}
