using Microsoft.Extensions.Options;

namespace Payments.Messaging.Webhooks;

/// <summary>
/// The <c>Webhooks</c> section: the storefront endpoints events are delivered to
/// (<c>Webhooks:Endpoints:0:Url</c>, <c>Webhooks:Endpoints:0:Secret</c>, optional <c>:Name</c>), the request timeout,
/// and optionally the retry delays (<c>Webhooks:RetryDelays:0 = 00:00:05</c>, …).
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    public const string DefaultDeliveryQueue = MessagingEntities.WebhookDeliveries;

    public List<WebhookEndpointOptions> Endpoints { get; set; } = [];

    /// <summary>How long one delivery may take (the spec recommends 15 to 30 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The queue of single delivery attempts (<see cref="WebhookFanOut"/>); needs duplicate detection on. Set by
    /// <see cref="WebhookFanOutRegistration.AddWebhookFanOut"/> to the queue its function listens to.
    /// </summary>
    public string DeliveryQueue { get; set; } = DefaultDeliveryQueue;

    /// <summary>Delays before each retry; empty means <see cref="WebhookRetrySchedule.Default"/>.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>The endpoints, parsed. Call after validation.</summary>
    public IReadOnlyList<WebhookEndpoint> ParsedEndpoints() => [.. Endpoints.Select((e, i) => e.ToEndpoint(i))];

    public WebhookRetrySchedule RetrySchedule() => RetryDelays.Count == 0 ? WebhookRetrySchedule.Default : new WebhookRetrySchedule(RetryDelays);
}

/// <summary>One storefront endpoint. A class, not a record, so that no generated ToString prints the secret.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>A stable name for records and logs; defaults to "endpoint-{index}".</summary>
    public string? Name { get; set; }

    /// <summary>An absolute http(s) URL.</summary>
    public string? Url { get; set; }

    /// <summary><c>whsec_…</c>. Several, space-separated, sign with each (rotation: new first, old until endpoints switched).</summary>
    public string? Secret { get; set; }

    public WebhookEndpoint ToEndpoint(int index)
    {
        var name = string.IsNullOrWhiteSpace(Name) ? $"endpoint-{index}" : Name.Trim();
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"Webhooks:Endpoints:{index}:Url must be an absolute http(s) URL.");
        }

        var secrets = (Secret ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (secrets.Length == 0)
        {
            throw new InvalidOperationException($"Webhooks:Endpoints:{index}:Secret is required (whsec_ followed by base64).");
        }

        var parsed = new List<WebhookSecret>();
        foreach (var secret in secrets)
        {
            if (!WebhookSecret.TryParse(secret, out var s))
            {
                throw new InvalidOperationException($"Webhooks:Endpoints:{index}:Secret must be whsec_ followed by base64.");
            }

            parsed.Add(s);
        }

        return new WebhookEndpoint(name, url, parsed);
    }

    public override string ToString() => $"{Name ?? "(unnamed)"} {Url}";
}

/// <summary>A parsed endpoint: name, URL and signing secrets (the first is current).</summary>
public sealed record WebhookEndpoint(string Name, Uri Url, IReadOnlyList<WebhookSecret> Secrets)
{
    public override string ToString() => $"{Name} ({Url})";
}

/// <summary>Checks the section at start, naming the bad key but never echoing a secret.</summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            try
            {
                var endpoint = options.Endpoints[i].ToEndpoint(i);
                if (!names.Add(endpoint.Name))
                {
                    failures.Add($"Webhooks:Endpoints:{i}:Name '{endpoint.Name}' is used twice.");
                }
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex.Message);
            }
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add("Webhooks:Timeout must be positive.");
        }

        if (options.RetryDelays.Any(d => d < TimeSpan.Zero))
        {
            failures.Add("Webhooks:RetryDelays must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
