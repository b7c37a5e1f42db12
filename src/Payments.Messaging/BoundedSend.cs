namespace Payments.Messaging;

/// <summary>
/// Bounds a send by the caller's own timeout, for sends on a request path (the publish after a commit, the charge
/// enqueue). The Service Bus SDK ignores the caller's token while it connects, and against an endpoint that accepts TCP
/// and never answers each attempt waits its TryTimeout plus about 5 s, so a token alone cannot bound it: this waits at
/// most <c>bound</c> (on <see cref="TimeProvider"/>) and then gives up on the send, which may still complete in the
/// background (harmless: every message has a stable MessageId and the broker drops a repeat).
/// </summary>
public static class BoundedSend
{
    /// <summary>
    /// Runs <paramref name="send"/> with a token cancelled after <paramref name="bound"/> and returns by then at the latest:
    /// throws a transient <see cref="MessageSendException"/> (<see cref="MessageSendException.Reason"/> <c>Timeout</c>)
    /// when the send has not finished, and <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task RunAsync(Func<CancellationToken, Task> send, string entityPath, TimeSpan bound, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(clock);
        using var timeout = new CancellationTokenSource(bound, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var task = send(linked.Token);
        using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(task, Task.Delay(bound, clock, stopDelay.Token));
        if (!task.IsCompleted)
        {
            // Given up on, not awaited: observe its outcome so that a late failure is not an unobserved exception.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            throw TimedOut(entityPath, bound, null);
        }

        await stopDelay.CancelAsync();
        try
        {
            await task;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The send honoured the bound's token.
            throw TimedOut(entityPath, bound, ex);
        }
    }

    private static MessageSendException TimedOut(string entityPath, TimeSpan bound, Exception? inner) =>
        new($"Sending to '{entityPath}' did not finish within {bound.TotalSeconds:0.###} s (it may still arrive; the broker drops a repeat).",
            entityPath, "Timeout", isTransient: true, inner);
}
