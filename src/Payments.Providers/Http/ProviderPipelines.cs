using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Payments.Providers.Http;

/// <summary>
/// The rules of every provider's resilience pipeline, registered per named client with <c>AddResilienceHandler</c>
/// (see <see cref="ProviderHttpClientRegistration"/>). Microsoft.Extensions.Http.Resilience keeps the pipeline (and
/// so the circuit breaker's state) in a registry for the life of the app, apart from the recycled HTTP message
/// handlers. Order, outside in: total timeout → retry → circuit breaker → attempt timeout, so each attempt counts
/// once for the breaker and the retries and their delays all fit in the total timeout.
/// </summary>
public static class ProviderPipelines
{
    /// <summary>The pipeline's name under each provider's client (the registry key is <c>{client}-{pipeline}</c>).</summary>
    public const string PipelineName = "provider";

    internal static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, string provider, ProviderHttpOptions o,
        TimeProvider clock, ILogger logger)
    {
        builder.TimeProvider = clock;
        builder.AddTimeout(o.TotalTimeout);

        if (o.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = o.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } throttled
                        ? RetryAfterDelay(throttled, clock.GetUtcNow(), o.MaxRetryAfterDelay)
                        : null),
                OnRetry = args =>
                {
                    logger.LogWarning("Retrying {Provider} call (attempt {Attempt}) after {Outcome} in {Delay}",
                        provider, args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = o.CircuitFailureRatio,
            MinimumThroughput = o.CircuitMinimumThroughput,
            SamplingDuration = o.CircuitSamplingDuration,
            BreakDuration = o.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome)),
            OnOpened = args =>
            {
                logger.LogError("Circuit for {Provider} opened for {BreakDuration} after {Outcome}", provider, args.BreakDuration, Describe(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                logger.LogInformation("Circuit for {Provider} closed", provider);
                return ValueTask.CompletedTask;
            },
        });

        builder.AddTimeout(o.AttemptTimeout);
    }

    /// <summary>
    /// A 429 is retried for every request, safe or not: the provider throttled it before doing anything, so
    /// sending it again cannot act twice. Other failures are retried only when the request is safe to repeat
    /// (<see cref="ProviderRequest.IsSafeToRetry"/>): a 5xx, a network error or a timed-out POST may already
    /// have created something at the provider.
    /// </summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests })
        {
            return true;
        }

        if (context.GetRequestMessage() is not { } request || !ProviderRequest.IsSafeToRetry(request))
        {
            return false;
        }

        return IsTransientFailure(outcome);
    }

    /// <summary>A failure that says nothing about the request itself: the provider or the way to it is unwell.</summary>
    internal static bool IsTransientFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };

    /// <summary>
    /// The wait a 429 asks for in <c>Retry-After</c> (seconds or an HTTP date), capped at <paramref name="max"/>;
    /// null (the exponential backoff) when the header is missing.
    /// </summary>
    public static TimeSpan? RetryAfterDelay(HttpResponseMessage response, DateTimeOffset now, TimeSpan max)
    {
        var retryAfter = response.Headers.RetryAfter;
        TimeSpan? wanted = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - now : null);
        if (wanted is not { } delay)
        {
            return null;
        }

        if (delay < TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return delay > max ? max : delay;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int)outcome.Result!.StatusCode}";
}
