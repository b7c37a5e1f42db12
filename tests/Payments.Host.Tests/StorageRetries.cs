namespace Payments.Host.Tests;

/// <summary>App settings for the tests that play a storage outage.</summary>
public static class StorageRetries
{
    /// <summary>Quick storage retries, so that a request during the outage fails fast; <paramref name="more"/> settings added.</summary>
    public static Dictionary<string, string?> Quick(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:MaxRetryAttempts"] = "1",
            ["Storage:RetryBaseDelay"] = "00:00:00.050",
            ["Storage:RetryMaxDelay"] = "00:00:00.200",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return settings;
    }
}
