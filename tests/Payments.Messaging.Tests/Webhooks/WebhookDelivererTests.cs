using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Core.Money;

namespace Payments.Messaging.Tests.Webhooks;

public sealed class WebhookDelivererTests : IAsyncLifetime
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentQueue<(Dictionary<string, string> Headers, byte[] Body, bool Verified)> _received = new();
    private LocalServer _storefront = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _storefront = await LocalServer.StartAsync(app =>
        {
            app.MapPost("/hooks/{status:int}", async (HttpContext context, int status) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var body = buffer.ToArray();
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                _received.Enqueue((headers, body, ReferenceVerify(context.Request.Headers, body)));
                if (status == 503)
                {
                    context.Response.Headers.RetryAfter = "120";
                }

                if (status == 302)
                {
                    context.Response.Headers.Location = "/hooks/200";
                }

                if (context.Request.Query.ContainsKey("slow"))
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                }

                context.Response.StatusCode = status;
            });
        });
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _storefront.DisposeAsync();
    }

    private WebhookEndpoint Endpoint(string path) =>
        new("shop", new Uri(_storefront.BaseAddress, path), [WebhookSecret.FromKey(Key)]);

    [Fact]
    public async Task Delivers_a_signed_body_the_receiver_verifies_with_its_own_implementation()
    {
        var deliverer = new WebhookDeliverer(_http);
        const string body = "{\"type\":\"order.status_changed\",\"data\":{\"orderId\":\"ord_1\"}}";

        var result = await deliverer.DeliverAsync(Endpoint("hooks/204"), "evt_123", body);

        Assert.Equal(WebhookDeliveryOutcome.Delivered, result.Outcome);
        Assert.True(result.Delivered);
        var (headers, received, verified) = Assert.Single(_received);
        Assert.True(verified);
        Assert.Equal(body, Encoding.UTF8.GetString(received));
        Assert.Equal("evt_123", headers["webhook-id"]);
        Assert.Equal("application/json", headers["Content-Type"]);
        Assert.InRange(long.Parse(headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.StartsWith("v1,", headers["webhook-signature"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, WebhookDeliveryOutcome.Delivered)]
    [InlineData(400, WebhookDeliveryOutcome.PermanentFailure)]
    [InlineData(404, WebhookDeliveryOutcome.PermanentFailure)]
    [InlineData(410, WebhookDeliveryOutcome.PermanentFailure)]
    [InlineData(408, WebhookDeliveryOutcome.RetryableFailure)]
    [InlineData(409, WebhookDeliveryOutcome.RetryableFailure)]
    [InlineData(429, WebhookDeliveryOutcome.RetryableFailure)]
    [InlineData(500, WebhookDeliveryOutcome.RetryableFailure)]
    [InlineData(302, WebhookDeliveryOutcome.RetryableFailure)]
    public async Task Answers_are_classified(int status, WebhookDeliveryOutcome expected)
    {
        var result = await new WebhookDeliverer(_http).DeliverAsync(Endpoint($"hooks/{status}"), "evt_1", "{}");

        Assert.Equal(expected, result.Outcome);
        Assert.Equal((HttpStatusCode)status, result.StatusCode);
        Assert.Single(_received); // a redirect is not followed
    }

    [Fact]
    public async Task Retry_After_is_reported_for_retryable_answers()
    {
        var result = await new WebhookDeliverer(_http).DeliverAsync(Endpoint("hooks/503"), "evt_1", "{}");

        Assert.Equal(WebhookDeliveryOutcome.RetryableFailure, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(120), WebhookRetrySchedule.Default.DelayAfter(1, result.RetryAfter));
    }

    [Fact]
    public async Task A_slow_endpoint_times_out_as_retryable()
    {
        var result = await new WebhookDeliverer(_http, timeout: TimeSpan.FromMilliseconds(300)).DeliverAsync(Endpoint("hooks/200?slow=1"), "evt_1", "{}");

        Assert.Equal(WebhookDeliveryOutcome.RetryableFailure, result.Outcome);
        Assert.Null(result.StatusCode);
        Assert.Contains("no answer", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_retryable()
    {
        var endpoint = new WebhookEndpoint("gone", new Uri("http://127.0.0.1:1/hooks"), [WebhookSecret.FromKey(Key)]);

        var result = await new WebhookDeliverer(_http).DeliverAsync(endpoint, "evt_1", "{}");

        Assert.Equal(WebhookDeliveryOutcome.RetryableFailure, result.Outcome);
    }

    [Fact]
    public void The_retry_schedule_is_data()
    {
        var schedule = WebhookRetrySchedule.Default;

        Assert.Equal(8, schedule.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), schedule.DelayAfter(1));
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.DelayAfter(2));
        Assert.Equal(TimeSpan.FromMinutes(30), schedule.DelayAfter(3));
        Assert.Equal(TimeSpan.FromHours(2), schedule.DelayAfter(4));
        Assert.Equal(TimeSpan.FromHours(5), schedule.DelayAfter(5));
        Assert.Equal(TimeSpan.FromHours(10), schedule.DelayAfter(6));
        Assert.Equal(TimeSpan.FromHours(10), schedule.DelayAfter(7));
        Assert.Null(schedule.DelayAfter(8));
        Assert.False(schedule.HasRetryAfter(8));
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.DelayAfter(2, retryAfter: TimeSpan.FromSeconds(1)));

        var jittered = new WebhookRetrySchedule([TimeSpan.FromMinutes(10)], jitter: 0.1);
        Assert.InRange(jittered.DelayAfter(1, random: new Random(7))!.Value, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(11));
    }

    [Fact]
    public void Options_validation_names_the_bad_key_without_echoing_the_secret()
    {
        var options = new WebhookOptions
        {
            Endpoints =
            [
                new() { Url = "https://shop.example/hooks", Secret = "whsec_" + Convert.ToBase64String(Key) },
                new() { Url = "not a url", Secret = "whsec_" + Convert.ToBase64String(Key) },
                new() { Url = "https://shop.example/other", Secret = "whsec_TOPSECRET!!" },
            ],
        };

        var result = new WebhookOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Webhooks:Endpoints:1:Url", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Webhooks:Endpoints:2:Secret", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("TOPSECRET", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Key), options.Endpoints[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_secrets_in_one_setting_sign_for_rotation()
    {
        var options = new WebhookOptions
        {
            Endpoints = [new() { Name = "main", Url = "https://shop.example/hooks", Secret = $"whsec_{Convert.ToBase64String(Key)} whsec_{Convert.ToBase64String(new byte[24])}" }],
        };

        Assert.Equal(ValidateOptionsResult.Success, new WebhookOptionsValidator().Validate(null, options));
        var endpoint = Assert.Single(options.ParsedEndpoints());
        Assert.Equal("main", endpoint.Name);
        Assert.Equal(2, endpoint.Secrets.Count);
    }

    [Fact]
    public void The_event_payload_follows_the_spec_shape()
    {
        var at = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);
        var evt = new PaymentEvent("evt_1", PaymentEvent.StatusChanged, "ord_1", "SO-1001", "next", PaymentStatus.Pending, PaymentStatus.Succeeded, at,
            new OrderSummary("49.90", "CHF", "NEXT-77", null));

        using var json = JsonDocument.Parse(WebhookPayload.ForEvent(evt));

        Assert.Equal("order.status_changed", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(at, json.RootElement.GetProperty("timestamp").GetDateTimeOffset());
        var data = json.RootElement.GetProperty("data");
        Assert.Equal("evt_1", data.GetProperty("eventId").GetString());
        Assert.Equal("succeeded", data.GetProperty("status").GetString());
        Assert.Equal("pending", data.GetProperty("previousStatus").GetString());
        Assert.Equal("49.90", data.GetProperty("order").GetProperty("amount").GetString());
        GC.KeepAlive(Currency.TryFromCode("CHF", out _));
    }

    /// <summary>The receiving side, written from the spec text without the library's code.</summary>
    private static bool ReferenceVerify(IHeaderDictionary headers, byte[] body)
    {
        var id = headers["webhook-id"].ToString();
        var timestamp = headers["webhook-timestamp"].ToString();
        using var hmac = new HMACSHA256(Key);
        var content = Encoding.UTF8.GetBytes(id + "." + timestamp + ".").Concat(body).ToArray();
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(content));
        return headers["webhook-signature"].ToString().Split(' ').Any(s => s == expected);
    }
}
