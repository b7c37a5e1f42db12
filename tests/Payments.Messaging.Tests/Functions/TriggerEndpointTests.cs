using System.Text.Json;
using Payments.Messaging.Functions;

namespace Payments.Messaging.Tests.Functions;

public sealed class TriggerEndpointTests : IAsyncLifetime
{
    private readonly HandlerScript _script = new();
    private LocalServer _server = null!;
    private HttpClient _client = null!;
    private int _timerRuns;

    public async Task InitializeAsync()
    {
        _server = await LocalServer.StartAsync(
            app =>
            {
                app.MapServiceBusTrigger("StatusFanOut", "message");
                app.MapServiceBusTrigger("BinaryCharges", "payload", TriggerDataType.Binary);
                app.MapTimerTrigger("OutboxSweep", (sp, ct) =>
                {
                    Assert.NotNull(sp.GetRequiredService<HandlerScript>());
                    return Interlocked.Increment(ref _timerRuns) == 2 ? throw new InvalidOperationException("sweep broke") : Task.CompletedTask;
                });
            },
            services =>
            {
                services.AddSingleton(_script);
                services.AddServiceBusFunction<ScriptedHandler>("StatusFanOut", "payment-events", "webhooks");
                services.AddServiceBusFunction<ScriptedHandler>("BinaryCharges", "payment-charges");
            });
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Success_answers_200_with_a_JSON_body()
    {
        _script.Handle = m => Task.FromResult(HandlerResult.Success());

        using var response = await Post("/StatusFanOut", HostEnvelope.ServiceBus("message", "{\"eventId\":\"evt_5\"}", messageId: "evt_5", deliveryCount: 2));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await Json(response);
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("ReturnValue").ValueKind);
        var seen = Assert.Single(_script.Seen);
        Assert.Equal("{\"eventId\":\"evt_5\"}", seen.BodyAsString);
        Assert.Equal("evt_5", seen.MessageId);
        Assert.Equal(2, seen.DeliveryCount);
    }

    [Fact]
    public async Task A_throwing_handler_answers_500_with_a_JSON_body()
    {
        _script.Handle = _ => throw new InvalidOperationException("storefront unreachable");

        using var response = await Post("/StatusFanOut", HostEnvelope.ServiceBus("message", "{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = await Json(response);
        Assert.Contains("storefront unreachable", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
    }

    [Fact]
    public async Task A_failure_result_answers_500_so_the_host_abandons_the_message()
    {
        _script.Handle = _ => Task.FromResult(HandlerResult.Failure("try later"));

        using var response = await Post("/StatusFanOut", HostEnvelope.ServiceBus("message", "{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = await Json(response);
        Assert.Contains("try later", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"Data\":{\"wrongName\":\"\\\"x\\\"\"}}")]
    [InlineData("")]
    public async Task An_undecodable_envelope_answers_400_with_a_JSON_body_and_runs_nothing(string envelope)
    {
        using var response = await Post("/StatusFanOut", envelope);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = await Json(response);
        Assert.Contains("invalid invocation request", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(_script.Seen);
    }

    [Fact]
    public async Task The_binding_name_and_data_type_are_per_function()
    {
        _script.Handle = _ => Task.FromResult(HandlerResult.Success());

        using var response = await Post("/BinaryCharges", """{"Data":{"payload":"AAEC"},"Metadata":{"MessageId":"\"chg_1\""}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new byte[] { 0, 1, 2 }, Assert.Single(_script.Seen).Body.ToArray());
    }

    [Fact]
    public async Task Timer_endpoints_answer_200_then_500_when_the_run_throws()
    {
        using var first = await Post("/OutboxSweep", HostEnvelope.Timer("timer"));
        using var second = await Post("/OutboxSweep", HostEnvelope.Timer("timer", pastDue: true));
        using var third = await Post("/OutboxSweep", "{}");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        foreach (var response in new[] { first, second, third })
        {
            using var body = await Json(response);
            Assert.True(body.RootElement.TryGetProperty("Logs", out _));
        }

        Assert.Equal(3, _timerRuns);
    }

    [Fact]
    public async Task Mapping_a_function_without_a_handler_fails_at_start()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => LocalServer.StartAsync(app => app.MapServiceBusTrigger("Nobody", "message")));
        await Assert.ThrowsAsync<ArgumentException>(() => LocalServer.StartAsync(app => app.MapTimerTrigger("bad/name", (_, _) => Task.CompletedTask)));
    }

    private async Task<HttpResponseMessage> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("X-Azure-Functions-HostVersion", "4.1040.300.0");
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/4.1040.300.0");
        return await _client.SendAsync(request);
    }

    private static async Task<JsonDocument> Json(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.NotEmpty(bytes);
        return JsonDocument.Parse(bytes);
    }

    public sealed class HandlerScript
    {
        public Func<ReceivedMessage, Task<HandlerResult>> Handle { get; set; } = _ => Task.FromResult(HandlerResult.Success());

        public List<ReceivedMessage> Seen { get; } = [];
    }

    public sealed class ScriptedHandler(HandlerScript script) : IMessageHandler
    {
        public Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            lock (script.Seen)
            {
                script.Seen.Add(message);
            }

            return script.Handle(message);
        }
    }
}
