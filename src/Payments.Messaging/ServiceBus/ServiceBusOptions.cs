using Azure.Messaging.ServiceBus;

namespace Payments.Messaging.ServiceBus;

/// <summary>
/// The <c>ServiceBus</c> configuration section. <c>ServiceBus:ConnectionString</c> (SAS) or
/// <c>ServiceBus:FullyQualifiedNamespace</c> (Entra ID, the app's one <c>TokenCredential</c>) selects Service Bus
/// (<see cref="ServiceBusMessageSender"/> over <c>Azure.Messaging.ServiceBus</c>); neither selects the in-process bus.
/// The retry keys feed <see cref="ServiceBusRetryOptions"/>.
/// </summary>
public sealed class ServiceBusOptions
{
    public const string SectionName = "ServiceBus";

    /// <summary><c>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…</c>. A secret.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>ns.servicebus.windows.net</c> (a URL such as <c>sb://ns.servicebus.windows.net/</c> is accepted too).</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary><c>AmqpTcp</c> (port 5671, the default) or <c>AmqpWebSockets</c> (port 443, for networks that allow nothing else).</summary>
    public ServiceBusTransportType TransportType { get; set; } = ServiceBusTransportType.AmqpTcp;

    /// <summary>Retries after the first attempt (<see cref="ServiceBusRetryOptions.MaxRetries"/>), for transient failures only.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry's delay; exponential after it, with jitter (<see cref="ServiceBusRetryOptions.Delay"/>).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts (<see cref="ServiceBusRetryOptions.MaxDelay"/>).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long one attempt may take (<see cref="ServiceBusRetryOptions.TryTimeout"/>). Against an endpoint that accepts
    /// TCP and never answers, an attempt waits this plus about 5 s, whatever the caller's token says: sends on a request
    /// path are bounded by the caller (<see cref="BoundedSend"/>), not by this.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when Service Bus is configured. A method, so the configuration binder does not look for a setting of that name.</summary>
    public bool UsesServiceBus() => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);

    /// <summary>The host name from <see cref="FullyQualifiedNamespace"/> (<c>ns.servicebus.windows.net</c>).</summary>
    public string NamespaceHost()
    {
        var text = FullyQualifiedNamespace?.Trim() ?? throw new InvalidOperationException("ServiceBus:FullyQualifiedNamespace is not set.");
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "sb://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "sb" or "amqps") || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath.Trim('/').Length > 0 || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new InvalidOperationException("ServiceBus:FullyQualifiedNamespace must be a host name such as ns.servicebus.windows.net.");
        }

        return uri.Host;
    }

    /// <summary>What is wrong with the retry keys (the SDK's limits), or null.</summary>
    public string? RetryProblem() =>
        MaxRetryAttempts is < 0 or > 100 ? "ServiceBus:MaxRetryAttempts must be 0-100."
        : RetryBaseDelay < TimeSpan.FromMilliseconds(1) || RetryBaseDelay > TimeSpan.FromMinutes(5) ? "ServiceBus:RetryBaseDelay must be 1 ms to 5 min."
        : RetryMaxDelay < TimeSpan.Zero ? "ServiceBus:RetryMaxDelay must not be negative."
        : AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > TimeSpan.FromHours(1) ? "ServiceBus:AttemptTimeout must be more than 0 and at most 1 h."
        : null;

    /// <summary>The SDK's retry policy from the retry keys.</summary>
    public ServiceBusRetryOptions RetryOptions() => new()
    {
        Mode = ServiceBusRetryMode.Exponential,
        MaxRetries = MaxRetryAttempts,
        Delay = RetryBaseDelay,
        MaxDelay = RetryMaxDelay,
        TryTimeout = AttemptTimeout,
    };

    /// <summary>Never prints the connection string.</summary>
    public override string ToString() =>
        UsesServiceBus() ? $"ServiceBus ({(string.IsNullOrWhiteSpace(ConnectionString) ? FullyQualifiedNamespace : "connection string")}, {TransportType})" : "ServiceBus in-process";
}
