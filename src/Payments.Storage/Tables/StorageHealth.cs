using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Payments.Storage.Tables;

/// <summary>
/// Remembers when an attempt of the app's <c>TableServiceClient</c> last failed as an outage does (no answer, a timeout,
/// 408/429/5xx; see <see cref="StorageFailures.IsUnavailable"/>): a hint for a caller that must answer before a slow
/// request has finished (its retries may be waiting out an outage). One per client; a singleton under DI. Attempts are
/// seen by a pipeline policy inside the SDK's retries (<see cref="TableStorageClients.CreateClientOptions"/>).
/// </summary>
public sealed class StorageHealth(TimeProvider? clock = null, ILogger<StorageHealth>? logger = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private long _lastUnavailableTicks;

    /// <summary>True when an attempt failed as an outage does within the last <paramref name="window"/>.</summary>
    public bool WasUnavailableWithin(TimeSpan window)
    {
        var last = Interlocked.Read(ref _lastUnavailableTicks);
        return last != 0 && _clock.GetUtcNow().UtcTicks - last <= window.Ticks;
    }

    internal void MarkUnavailable(string reason)
    {
        Interlocked.Exchange(ref _lastUnavailableTicks, _clock.GetUtcNow().UtcTicks);

        // Method and status or exception type only: never the URL's query (a SAS) nor a header.
        _logger.LogWarning("Table Storage attempt failed ({Reason}); the SDK retries it up to Storage:MaxRetryAttempts times", reason);
    }

    /// <summary>Sees every attempt (inside the retries) and marks the outage-like ones.</summary>
    internal sealed class AttemptPolicy(StorageHealth health) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                ProcessNext(message, pipeline);
            }
            catch (Exception ex) when (Observe(message, ex))
            {
                throw;
            }

            Observe(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            catch (Exception ex) when (Observe(message, ex))
            {
                throw;
            }

            Observe(message);
        }

        private void Observe(HttpMessage message)
        {
            if (message.HasResponse && StorageFailures.IsUnavailableStatus(message.Response.Status))
            {
                health.MarkUnavailable($"{message.Request.Method} answered {message.Response.Status}");
            }
        }

        // Always false: an exception filter that only looks.
        private bool Observe(HttpMessage message, Exception error)
        {
            if (!message.CancellationToken.IsCancellationRequested)
            {
                health.MarkUnavailable($"{message.Request.Method} {error.GetType().Name}");
            }

            return false;
        }
    }

    /// <summary>
    /// Outside the retries: an attempt timeout the retries did not cure leaves the SDK as an
    /// <see cref="OperationCanceledException"/> although nobody cancelled; it becomes a status-0
    /// <see cref="Azure.RequestFailedException"/> around a <see cref="TimeoutException"/>, so that callers that let a
    /// cancellation through (sweeps, the reconciler) treat it as the outage it is. The same for each timed-out attempt in
    /// the SDK's <see cref="AggregateException"/> of several failed attempts.
    /// </summary>
    internal sealed class TimeoutPolicy : HttpPipelinePolicy
    {
        public static TimeoutPolicy Instance { get; } = new();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                ProcessNext(message, pipeline);
            }
            catch (OperationCanceledException ex) when (!message.CancellationToken.IsCancellationRequested)
            {
                throw TimedOut(message, ex);
            }
            catch (AggregateException ex) when (!message.CancellationToken.IsCancellationRequested && ex.InnerExceptions.Any(e => e is OperationCanceledException))
            {
                throw new AggregateException(ex.Message, ex.InnerExceptions.Select(e => e is OperationCanceledException c ? TimedOut(message, c) : e));
            }
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!message.CancellationToken.IsCancellationRequested)
            {
                throw TimedOut(message, ex);
            }
            catch (AggregateException ex) when (!message.CancellationToken.IsCancellationRequested && ex.InnerExceptions.Any(e => e is OperationCanceledException))
            {
                throw new AggregateException(ex.Message, ex.InnerExceptions.Select(e => e is OperationCanceledException c ? TimedOut(message, c) : e));
            }
        }

        private static Azure.RequestFailedException TimedOut(HttpMessage message, OperationCanceledException error) =>
            new($"Table Storage {message.Request.Method} timed out after all retries.", new TimeoutException(error.Message, error));
    }
}
