using System.Diagnostics;
using Payments.Core.Telemetry;
using Payments.Messaging.Functions;

namespace Payments.Messaging.Tests.Functions;

/// <summary>
/// The W3C trace context across the bus: the sender puts its span's context in <c>Diagnostic-Id</c>/<c>traceparent</c>
/// without touching the caller's message, and both the Functions trigger endpoint and the in-process bus continue it.
/// </summary>
public sealed class MessageTracingTests : IDisposable
{
    private const string OrderId = "ord_0123456789abcdef0123456789abcdef";

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public MessageTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is PaymentsTelemetry.Name or "Payments.Messaging.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void The_context_is_added_to_a_copy_and_an_existing_one_is_kept()
    {
        using var source = new ActivitySource("Payments.Messaging.Tests");
        using var span = source.StartActivity("send")!;
        var original = OutgoingMessage.FromText("x") with { MessageId = "m1" };
        original.ApplicationProperties["eventType"] = "order.status_changed";

        var traced = MessageTracing.WithTraceContext(original, span);

        Assert.Equal(span.Id, traced.ApplicationProperties[MessageTracing.DiagnosticIdProperty]);
        Assert.Equal(span.Id, traced.ApplicationProperties[MessageTracing.TraceParentProperty]);
        Assert.Equal("order.status_changed", traced.ApplicationProperties["eventType"]);
        Assert.Equal(["eventType"], original.ApplicationProperties.Keys);
        Assert.Same(traced, MessageTracing.WithTraceContext(traced, Activity.Current));
        Assert.Same(original, MessageTracing.WithTraceContext(original, null));
    }

    [Fact]
    public async Task The_trigger_endpoint_continues_the_trace_of_the_message_s_Diagnostic_Id()
    {
        Activity? seen = null;
        await using var server = await LocalServer.StartAsync(
            app => app.MapServiceBusTrigger("RunCharge", "message"),
            services => services.AddKeyedSingleton<IMessageHandler>("RunCharge", new DelegateMessageHandler((_, _) =>
            {
                seen = Activity.Current;
                return Task.FromResult(HandlerResult.Success());
            })));
        using var client = server.CreateClient();
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var envelope = HostEnvelope.ServiceBus("message", "{}", messageId: "chg_1", correlationId: OrderId,
            applicationProperties: new Dictionary<string, object> { [MessageTracing.DiagnosticIdProperty] = $"00-{traceId}-{parent}-01" });

        using var content = new StringContent(envelope, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/RunCharge", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(seen);
        Assert.Equal(PaymentsTelemetry.Spans.Process, seen.OperationName);
        Assert.Equal(traceId, seen.TraceId);
        Assert.Equal(parent, seen.ParentSpanId);
        Assert.Equal(OrderId, seen.GetTagItem(PaymentsTelemetry.Tags.OrderId));
        Assert.Equal(ActivityKind.Consumer, seen.Kind);
    }

    [Fact]
    public async Task The_in_process_bus_delivers_in_the_trace_of_the_span_that_sent()
    {
        using var bus = new InProcessBus();
        Activity? seen = null;
        bus.Subscribe("payment-charges", new DelegateMessageHandler((_, _) =>
        {
            seen = Activity.Current;
            return Task.FromResult(HandlerResult.Success());
        }));
        var sender = new TracingMessageSender(bus);
        ActivityTraceId traceId;
        using (var source = new ActivitySource("Payments.Messaging.Tests"))
        using (var request = source.StartActivity("request")!)
        {
            traceId = request.TraceId;
            await sender.SendAsync("payment-charges", OutgoingMessage.FromText("{}") with { MessageId = "chg_2", CorrelationId = OrderId });
        }

        // Delivered outside the sender's span: only the message carries the context.
        Assert.Null(Activity.Current);
        Assert.Equal(1, await bus.ProcessDueAsync());

        Assert.NotNull(seen);
        Assert.Equal(traceId, seen.TraceId);
        var send = Assert.Single(_stopped, a => a.OperationName == PaymentsTelemetry.Spans.Send && a.TraceId == traceId);
        Assert.Equal(send.SpanId, seen.ParentSpanId);
        Assert.Equal("payment-charges", send.GetTagItem(PaymentsTelemetry.Tags.MessagingDestination));
    }
}
