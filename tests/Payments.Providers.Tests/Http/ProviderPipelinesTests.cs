using System.Net.Http.Headers;
using Payments.Providers.Http;

namespace Payments.Providers.Tests.Http;

public sealed class ProviderPipelinesTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Retry_after_seconds_is_honoured_up_to_the_cap()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(1), ProviderPipelines.RetryAfterDelay(response, Now, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromMilliseconds(300), ProviderPipelines.RetryAfterDelay(response, Now, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void Retry_after_as_a_date_is_relative_to_now()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), ProviderPipelines.RetryAfterDelay(response, Now, TimeSpan.FromSeconds(5)));

        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(-2));
        Assert.Equal(TimeSpan.Zero, ProviderPipelines.RetryAfterDelay(response, Now, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Without_retry_after_the_backoff_decides()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        Assert.Null(ProviderPipelines.RetryAfterDelay(response, Now, TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData("GET", false, false, true)]
    [InlineData("HEAD", false, false, true)]
    [InlineData("POST", false, false, false)]
    [InlineData("POST", true, false, true)]
    [InlineData("POST", false, true, true)]
    [InlineData("DELETE", false, false, false)]
    public void Only_requests_safe_to_repeat_are_retried(string method, bool marked, bool idempotencyKey, bool safe)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://x.example/");
        if (marked)
        {
            request.MarkSafeToRetry();
        }

        if (idempotencyKey)
        {
            request.Headers.Add("Idempotency-Key", "k-1234567890abcdef");
        }

        Assert.Equal(safe, ProviderRequest.IsSafeToRetry(request));
    }

    [Theory]
    [InlineData(400, ProviderFailure.Rejected)]
    [InlineData(401, ProviderFailure.Rejected)]
    [InlineData(403, ProviderFailure.Rejected)]
    [InlineData(404, ProviderFailure.NotFound)]
    [InlineData(408, ProviderFailure.Timeout)]
    [InlineData(409, ProviderFailure.Rejected)]
    [InlineData(422, ProviderFailure.Rejected)]
    [InlineData(429, ProviderFailure.Unavailable)]
    [InlineData(500, ProviderFailure.Unavailable)]
    [InlineData(502, ProviderFailure.Unavailable)]
    [InlineData(503, ProviderFailure.Unavailable)]
    [InlineData(504, ProviderFailure.Timeout)]
    public void Statuses_map_to_failures_in_one_place(int status, ProviderFailure expected) =>
        Assert.Equal(expected, ProviderErrors.Classify((HttpStatusCode)status));
}
