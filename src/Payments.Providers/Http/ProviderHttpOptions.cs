namespace Payments.Providers.Http;

/// <summary>
/// Resilience settings of one provider's outbound HTTP client (a named options instance per provider,
/// bound from <c>Providers:{Provider}:Http</c> where the provider's registration passes that section).
/// The defaults suit a payment API called while a shopper waits; tests set the delays to about zero.
/// </summary>
public sealed class ProviderHttpOptions
{
    /// <summary>Upper bound for one call including every retry and delay.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, for requests that are safe to repeat (and for 429s).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First backoff delay; it doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest <c>Retry-After</c> of a 429 that is waited for; a longer one is cut to this. Kept well below
    /// <see cref="TotalTimeout"/> so that a throttled call still answers while the shopper waits.
    /// </summary>
    public TimeSpan MaxRetryAfterDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Share of failed calls in <see cref="CircuitSamplingDuration"/> that opens the circuit.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the circuit may open.</summary>
    public int CircuitMinimumThroughput { get; set; } = 10;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls at once before letting one through.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Reads the provider's error code out of a raw error body (or null). Set in code by the provider's
    /// registration; never fed back into exception messages.
    /// </summary>
    public Func<string, string?>? ReadErrorCode { get; set; }

    /// <summary>What Polly would refuse when building the pipeline, found at start-up instead of at the first call.</summary>
    public static IReadOnlyList<string> Problems(ProviderHttpOptions o)
    {
        var problems = new List<string>();
        static bool Timeout(TimeSpan t) => t >= TimeSpan.FromMilliseconds(10) && t <= TimeSpan.FromDays(1);
        if (!Timeout(o.TotalTimeout) || !Timeout(o.AttemptTimeout) || o.AttemptTimeout > o.TotalTimeout)
        {
            problems.Add("timeouts");
        }

        if (o.MaxRetryAttempts is < 0 or > 10 || o.RetryBaseDelay < TimeSpan.Zero || o.MaxRetryAfterDelay < TimeSpan.Zero)
        {
            problems.Add("retry");
        }

        if (o.CircuitFailureRatio is <= 0 or > 1 || o.CircuitMinimumThroughput < 2
            || o.CircuitSamplingDuration < TimeSpan.FromMilliseconds(500) || o.CircuitBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            problems.Add("circuit");
        }

        return problems;
    }
}
