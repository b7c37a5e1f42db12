using Microsoft.Extensions.Options;

namespace Payments.Storage.Tables;

/// <summary>
/// Where the tables live and how hard to retry. Bound from the <c>Storage</c> section:
/// <c>Storage:ConnectionString</c> (falls back to <c>AzureWebJobsStorage</c>) for SharedKeyLite, or
/// <c>Storage:TableServiceUri</c> (e.g. <c>https://acct.table.core.windows.net</c>) for Entra ID.
/// </summary>
public sealed class TableStorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>A storage connection string with an account key, or <c>UseDevelopmentStorage=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table service endpoint, used with a token credential (DefaultAzureCredential unless one is registered).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Retries after the first attempt for transient failures (408, 429, 500, 502, 503, 504, network errors, timeouts).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long one attempt (request and response body) may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Checks on start that one of the two ways to reach storage is configured, with a message that says how.</summary>
public sealed class TableStorageOptionsValidator : IValidateOptions<TableStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, TableStorageOptions options)
    {
        var failures = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (!hasConnectionString && options.TableServiceUri is null)
        {
            failures.Add(
                "Table Storage is not configured: set Storage:ConnectionString (or AzureWebJobsStorage), e.g. "
                + "'UseDevelopmentStorage=true' for Azurite, or Storage:TableServiceUri (e.g. https://<account>.table.core.windows.net) "
                + "to use Entra ID.");
        }

        if (hasConnectionString && !StorageConnectionString.TryParse(options.ConnectionString, out _, out var error))
        {
            failures.Add($"Storage:ConnectionString is invalid: {error}");
        }

        if (!hasConnectionString && options.TableServiceUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https")))
        {
            failures.Add("Storage:TableServiceUri must be an absolute http(s) URI.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add("Storage:MaxRetryAttempts must be between 0 and 10.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Storage:AttemptTimeout must be positive and Storage:RetryMaxDelay at least Storage:RetryBaseDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
