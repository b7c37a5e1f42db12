namespace Payments.Messaging.Webhooks;

/// <summary>
/// When to try a failed webhook delivery again, as data: the delay before retry 1, 2, …; after the last one the
/// delivery has failed for good. The caller re-enqueues with <c>ScheduledEnqueueTimeUtc = now + delay</c>.
/// </summary>
public sealed class WebhookRetrySchedule
{
    /// <summary>5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 27.6 hours (the spec's example, shortened).</summary>
    public static readonly WebhookRetrySchedule Default = new(
    [
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(5),
        TimeSpan.FromHours(10),
        TimeSpan.FromHours(10),
    ]);

    public WebhookRetrySchedule(IEnumerable<TimeSpan> delays, double jitter = 0)
    {
        ArgumentNullException.ThrowIfNull(delays);
        Delays = [.. delays];
        if (Delays.Any(d => d < TimeSpan.Zero))
        {
            throw new ArgumentException("Retry delays cannot be negative.", nameof(delays));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 0.5);
        Jitter = jitter;
    }

    public IReadOnlyList<TimeSpan> Delays { get; }

    /// <summary>Each delay is stretched by a random factor in [1, 1 + Jitter] so retries of many events spread out.</summary>
    public double Jitter { get; }

    /// <summary>The first attempt plus one per delay.</summary>
    public int MaxAttempts => Delays.Count + 1;

    /// <summary>
    /// The wait before the next attempt after <paramref name="attemptsMade"/> attempts (1 after the first failure), or
    /// null when none is left. A receiver's <c>Retry-After</c> lengthens the wait, never shortens it.
    /// </summary>
    public TimeSpan? DelayAfter(int attemptsMade, TimeSpan? retryAfter = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        if (attemptsMade > Delays.Count)
        {
            return null;
        }

        var delay = Delays[attemptsMade - 1];
        if (Jitter > 0)
        {
            delay += delay * (Jitter * (random ?? Random.Shared).NextDouble());
        }

        return retryAfter is { } wanted && wanted > delay ? wanted : delay;
    }

    /// <summary>Whether another attempt is due after <paramref name="attemptsMade"/> attempts.</summary>
    public bool HasRetryAfter(int attemptsMade) => attemptsMade >= 1 && attemptsMade <= Delays.Count;
}
