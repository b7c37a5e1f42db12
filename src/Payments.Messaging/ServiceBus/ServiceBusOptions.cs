namespace Payments.Messaging.ServiceBus;

/// <summary>
/// The <c>ServiceBus</c> configuration section. <c>ServiceBus:ConnectionString</c> (SAS) or
/// <c>ServiceBus:FullyQualifiedNamespace</c> (Entra ID) selects the REST sender; neither selects the in-process bus.
/// </summary>
public sealed class ServiceBusOptions
{
    public const string SectionName = "ServiceBus";

    /// <summary><c>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…</c>. A secret.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>ns.servicebus.windows.net</c> (or an https:// URL); tokens come from a registered TokenCredential or DefaultAzureCredential.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Retries after the first request (408, 429, 5xx, timeouts, network errors).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry's delay; doubled for each further retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts, Retry-After included.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one request may take before it is abandoned (and retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when the REST sender is configured.</summary>
    public bool UsesRest => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);

    /// <summary>The namespace base address from <see cref="FullyQualifiedNamespace"/>.</summary>
    public Uri NamespaceEndpoint()
    {
        var text = FullyQualifiedNamespace?.Trim() ?? throw new InvalidOperationException("ServiceBus:FullyQualifiedNamespace is not set.");
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "sb") || string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidOperationException("ServiceBus:FullyQualifiedNamespace must be a host name such as ns.servicebus.windows.net.");
        }

        return new UriBuilder(uri.Scheme == "http" ? "http" : "https", uri.Host, uri.IsDefaultPort || uri.Scheme == "sb" ? -1 : uri.Port, "/").Uri;
    }

    /// <summary>Never prints the connection string.</summary>
    public override string ToString() =>
        UsesRest ? $"ServiceBus REST ({(string.IsNullOrWhiteSpace(ConnectionString) ? FullyQualifiedNamespace : "connection string")})" : "ServiceBus in-process";
}
