using System.Collections.Concurrent;
using Payments.Core.Events;

namespace Payments.Host.Events;

/// <summary>
/// Records the events published after their commits in batches (<see cref="IOutboxReader.RecordSentAsync"/>): at most one
/// write per <see cref="FlushInterval"/> and <see cref="BatchSize"/> events, so a published event costs the store no
/// write of its own and nothing on the shopper's path.
/// </summary>
/// <remarks>
/// Losing a record is safe: the event stays unsent to the outbox sweep, which publishes it again, and the broker drops the
/// repeat by its MessageId (the event id). So this is bounded (<see cref="MaxBuffered"/>; beyond it records are dropped and
/// logged), and a record that cannot be written is tried again after <see cref="RetryAfter"/>. A hosted service: a stopping
/// app writes what it holds.
/// </remarks>
public sealed class OutboxSentLog(IServiceProvider services, TimeProvider clock, ILogger<OutboxSentLog> logger) : IHostedService, IDisposable
{
    /// <summary>How long published events wait to be recorded together.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>After a failed write, how long until the next try.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Event ids per write.</summary>
    public const int BatchSize = 500;

    /// <summary>Records held at most while storage cannot take them; beyond it the sweep's republish (deduplicated) covers them.</summary>
    public const int MaxBuffered = 100_000;

    private readonly ConcurrentQueue<string> _ids = new();

    // Resolved on the first write, not when the host starts this service (it would build the storage client then).
    private IOutboxReader? _outbox;
    private readonly SemaphoreSlim _added = new(0, 1);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _count;
    private int _droppedLogged;

    /// <summary>Published events not recorded yet.</summary>
    public int Unrecorded => Volatile.Read(ref _count);

    /// <summary>Takes the ids of events just published; they are recorded within <see cref="FlushInterval"/>.</summary>
    public void Add(IEnumerable<string> eventIds)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        foreach (var id in eventIds)
        {
            if (Interlocked.Increment(ref _count) > MaxBuffered)
            {
                Interlocked.Decrement(ref _count);
                if (Interlocked.Exchange(ref _droppedLogged, 1) == 0)
                {
                    logger.LogWarning("Over {Max} published events wait to be recorded; more are dropped, and the outbox sweep publishes them once more", MaxBuffered);
                }

                continue;
            }

            _ids.Enqueue(id);
        }

        if (_added.CurrentCount == 0)
        {
            try
            {
                _added.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another Add signalled first: one wake-up is enough.
            }
        }
    }

    /// <summary>Writes every record held now (tests, tools, and the app stopping). Throws when storage refuses.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            while (!_ids.IsEmpty)
            {
                var batch = new List<string>(BatchSize);
                while (batch.Count < BatchSize && _ids.TryDequeue(out var id))
                {
                    batch.Add(id);
                }

                try
                {
                    _outbox ??= services.GetRequiredService<IOutboxReader>();
                    await _outbox.RecordSentAsync(batch, clock.GetUtcNow(), cancellationToken);
                }
                catch
                {
                    foreach (var id in batch)
                    {
                        _ids.Enqueue(id);
                    }

                    throw;
                }

                Interlocked.Add(ref _count, -batch.Count);
                Interlocked.Exchange(ref _droppedLogged, 0);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Stopping with {Count} published event(s) not recorded ({Error}); the outbox sweep publishes them once more", Unrecorded, ex.Message);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _added.Dispose();
        _writing.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (Unrecorded == 0)
                {
                    await _added.WaitAsync(stopping);
                }

                await Task.Delay(FlushInterval, stopping);
                await FlushAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Recording {Count} published event(s) failed ({Error}); trying again in {Delay}", Unrecorded, ex.Message, RetryAfter);
                try
                {
                    await Task.Delay(RetryAfter, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
