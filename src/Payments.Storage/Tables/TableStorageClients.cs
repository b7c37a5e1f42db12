using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace Payments.Storage.Tables;

/// <summary>
/// Builds the app's <see cref="TableServiceClient"/> (the SDK's) from <see cref="TableStorageOptions"/>: from
/// <see cref="TableStorageOptions.ConnectionString"/> (account key, SAS, <c>UseDevelopmentStorage=true</c>, Azurite's
/// path-style endpoints), else <see cref="TableStorageOptions.TableServiceUri"/> with the token credential. Under DI it
/// is registered through <c>Microsoft.Extensions.Azure</c> (<see cref="StorageRegistration.AddTableStorage"/>);
/// tests and tools call <see cref="Create"/>.
/// </summary>
/// <remarks>
/// Retries are the SDK's (<see cref="Azure.Core.ClientOptions.Retry"/>, fed by the <c>Storage:*</c> retry keys), and it retries
/// every operation, inserts and <c>$batch</c> included, on 408/429/500/502/503/504 and on no answer. An insert whose first
/// attempt reached the service but whose answer was lost therefore comes back as <b>409</b> (its own entity is there), and
/// an ETag-guarded update or transaction whose first attempt committed comes back as <b>412</b> (the ETag moved because of
/// that very write). Both are "re-read and decide" for the stores, never "someone else won" by themselves.
/// </remarks>
public static class TableStorageClients
{
    /// <summary>A client for <paramref name="options"/> (validated first; throws <see cref="ArgumentException"/> saying what is wrong).</summary>
    public static TableServiceClient Create(
        TableStorageOptions options, TokenCredential? credential = null, StorageHealth? health = null, TableClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new TableStorageOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        clientOptions = CreateClientOptions(options, health ?? new StorageHealth(), clientOptions);
        return !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new TableServiceClient(options.ConnectionString, clientOptions)
            : new TableServiceClient(options.TableServiceUri!, credential ?? new Azure.Identity.DefaultAzureCredential(), clientOptions);
    }

    /// <summary>
    /// <paramref name="clientOptions"/> (or new ones) with the retry settings of <paramref name="options"/>, the outage
    /// observer of <paramref name="health"/> inside the retries, and the timeout translation outside them (see
    /// <see cref="StorageFailures"/>). The SDK's own request logging is off: one warning per failed attempt comes from
    /// <see cref="StorageHealth"/> instead, and nothing logs a URL's query or a header.
    /// </summary>
    public static TableClientOptions CreateClientOptions(TableStorageOptions options, StorageHealth health, TableClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(health);
        clientOptions ??= new TableClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetryAttempts;
        clientOptions.Retry.Delay = options.RetryBaseDelay;
        clientOptions.Retry.MaxDelay = options.RetryMaxDelay;
        clientOptions.Retry.NetworkTimeout = options.AttemptTimeout;
        clientOptions.Diagnostics.IsLoggingEnabled = false;
        clientOptions.AddPolicy(StorageHealth.TimeoutPolicy.Instance, HttpPipelinePosition.PerCall);
        clientOptions.AddPolicy(new StorageHealth.AttemptPolicy(health), HttpPipelinePosition.PerRetry);
        return clientOptions;
    }
}
