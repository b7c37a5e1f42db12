using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Payments.Storage.Tables;

/// <summary>
/// Where the tables live and how hard to retry. Bound from the <c>Storage</c> section:
/// <c>Storage:ConnectionString</c> (falls back to <c>AzureWebJobsStorage</c>; an account key, a SAS or
/// <c>UseDevelopmentStorage=true</c>), or <c>Storage:TableServiceUri</c> (e.g. <c>https://acct.table.core.windows.net</c>)
/// with the app's one <see cref="Azure.Core.TokenCredential"/> (managed identity in Azure). The retry keys feed
/// <see cref="Azure.Core.ClientOptions.Retry"/> (<see cref="TableStorageClients.CreateClientOptions"/>).
/// </summary>
public sealed class TableStorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>A storage connection string (account key or SAS), or <c>UseDevelopmentStorage=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table service endpoint, used with the registered token credential (DefaultAzureCredential unless another is registered).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>
    /// Retries after the first attempt for transient failures (408, 429, 500, 502, 503, 504, network errors, timeouts):
    /// <see cref="Azure.Core.RetryOptions.MaxRetries"/>. The SDK retries inserts and <c>$batch</c> too, so a 409 or 412
    /// after a retry may be this call's own first attempt; the stores handle that.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter (<see cref="Azure.Core.RetryOptions.Delay"/>).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts (<see cref="Azure.Core.RetryOptions.MaxDelay"/>).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long one attempt (request and response body) may take (<see cref="Azure.Core.RetryOptions.NetworkTimeout"/>).</summary>
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

        if (hasConnectionString && ConnectionStringProblem(options.ConnectionString!) is { } problem)
        {
            failures.Add($"Storage:ConnectionString is invalid: {problem}");
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

    /// <summary>
    /// Client options for <see cref="ConnectionStringProblem"/>: a client that is only asked its <see cref="TableServiceClient.Uri"/>
    /// needs no HTTP handler, logging or tracing, which a default one builds on start.
    /// </summary>
    private static readonly TableClientOptions ParseOnly = new()
    {
        Transport = NoTransport.Instance,
        Retry = { MaxRetries = 0 },
        Diagnostics = { IsLoggingEnabled = false, IsDistributedTracingEnabled = false, IsTelemetryEnabled = false },
    };

    /// <summary>
    /// Loads and compiles what <see cref="ConnectionStringProblem"/> takes (the SDK's client construction), by parsing the
    /// development storage connection string; no request, no I/O. Called on a warm-up thread as the process starts, so that
    /// the validation on start finds it done instead of doing it on the thread that starts the host.
    /// </summary>
    public static void WarmUp() => _ = ConnectionStringProblem("UseDevelopmentStorage=true");

    /// <summary>
    /// Why the SDK refuses the connection string (it parses it without a request), or null. Only the exception's type and
    /// the names of the connection string's keys are quoted: never a value, so never the key or a SAS signature.
    /// </summary>
    internal static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            var endpoint = new TableServiceClient(connectionString, ParseOnly).Uri;
            return endpoint.Scheme is "http" or "https"
                ? null
                : "its table endpoint (TableEndpoint, or DefaultEndpointsProtocol with AccountName and EndpointSuffix) must be an http(s) URI.";
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            var keys = connectionString
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(part => part.Split('=', 2)[0])
                .Where(name => name.Length is > 0 and <= 40 && name.All(char.IsAsciiLetter));
            return $"the Azure Tables SDK cannot use it ({ex.GetType().Name}); it names {string.Join(", ", keys)}. Expected "
                + "AccountName and AccountKey (with DefaultEndpointsProtocol/EndpointSuffix or an http(s) TableEndpoint), a "
                + "TableEndpoint with a SharedAccessSignature, or UseDevelopmentStorage=true.";
        }
    }
}

/// <summary>The transport of a client that never sends (<see cref="TableStorageOptionsValidator"/> only parses with it).</summary>
internal sealed class NoTransport : HttpPipelineTransport
{
    public static readonly NoTransport Instance = new();

    public override Request CreateRequest() => throw new InvalidOperationException("This client only parses a connection string; it sends nothing.");

    public override void Process(HttpMessage message) => throw new InvalidOperationException("This client only parses a connection string; it sends nothing.");

    public override ValueTask ProcessAsync(HttpMessage message) => throw new InvalidOperationException("This client only parses a connection string; it sends nothing.");
}
