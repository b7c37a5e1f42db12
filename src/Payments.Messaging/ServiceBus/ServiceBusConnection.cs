namespace Payments.Messaging.ServiceBus;

/// <summary>
/// A Service Bus connection string: <c>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…]</c>.
/// Keys are case-insensitive; values may contain '=' (base64 padding). The key is never printed by <see cref="ToString"/>.
/// </summary>
public sealed class ServiceBusConnection
{
    private ServiceBusConnection(Uri endpoint, string keyName, string key, string? entityPath)
    {
        Endpoint = endpoint;
        SharedAccessKeyName = keyName;
        SharedAccessKey = key;
        EntityPath = entityPath;
    }

    /// <summary>The namespace's HTTPS base address, e.g. <c>https://ns.servicebus.windows.net/</c> (sb:// becomes https://).</summary>
    public Uri Endpoint { get; }

    public string SharedAccessKeyName { get; }

    /// <summary>The key as written in the connection string. SAS signatures use its UTF-8 bytes as they are.</summary>
    public string SharedAccessKey { get; }

    /// <summary>The entity the key belongs to, when the connection string names one.</summary>
    public string? EntityPath { get; }

    public static ServiceBusConnection Parse(string connectionString)
    {
        if (!TryParse(connectionString, out var connection, out var error))
        {
            throw new FormatException(error);
        }

        return connection;
    }

    /// <summary>Parses; on failure <paramref name="error"/> says why (and never echoes the key).</summary>
    public static bool TryParse(string? connectionString, out ServiceBusConnection connection, out string error)
    {
        connection = null!;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "The Service Bus connection string is empty.";
            return false;
        }

        string? endpoint = null, keyName = null, key = null, entityPath = null;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = "The Service Bus connection string is not a list of Name=value pairs separated by ';'.";
                return false;
            }

            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            switch (name.ToUpperInvariant())
            {
                case "ENDPOINT":
                    endpoint = value;
                    break;
                case "SHAREDACCESSKEYNAME":
                    keyName = value;
                    break;
                case "SHAREDACCESSKEY":
                    key = value;
                    break;
                case "ENTITYPATH":
                    entityPath = value.Length == 0 ? null : value;
                    break;
                case "USEDEVELOPMENTEMULATOR" when value.Equals("true", StringComparison.OrdinalIgnoreCase):
                    error = "The Service Bus emulator speaks AMQP only; the REST sender cannot use it. Leave ServiceBus unset to use the in-process bus.";
                    return false;
                case "SHAREDACCESSSIGNATURE":
                    error = "Connection strings with a ready-made SharedAccessSignature are not supported; use SharedAccessKeyName and SharedAccessKey.";
                    return false;
                default:
                    break; // Unknown settings (TransportType, …) do not matter to the REST API.
            }
        }

        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("sb" or "https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            error = "The Service Bus connection string needs Endpoint=sb://<namespace>.servicebus.windows.net/.";
            return false;
        }

        if (string.IsNullOrEmpty(keyName) || string.IsNullOrEmpty(key))
        {
            error = "The Service Bus connection string needs SharedAccessKeyName and SharedAccessKey.";
            return false;
        }

        // sb:// is the AMQP form of the namespace address; the REST API is the same host over HTTPS. http:// is kept
        // as given (local test endpoints only).
        var scheme = uri.Scheme == "http" ? "http" : "https";
        var builder = new UriBuilder(scheme, uri.Host, uri.IsDefaultPort || uri.Scheme == "sb" ? -1 : uri.Port, "/");
        connection = new ServiceBusConnection(builder.Uri, keyName, key, entityPath);
        error = string.Empty;
        return true;
    }

    public override string ToString() =>
        $"Endpoint={Endpoint};SharedAccessKeyName={SharedAccessKeyName};SharedAccessKey=***{(EntityPath is null ? string.Empty : ";EntityPath=" + EntityPath)}";
}
