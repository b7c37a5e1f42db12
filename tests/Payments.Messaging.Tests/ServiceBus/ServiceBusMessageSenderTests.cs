using Azure.Messaging.ServiceBus;
using Moq;
using Payments.Messaging.ServiceBus;

namespace Payments.Messaging.Tests.ServiceBus;

/// <summary>The SDK sender behind our port, over Moq'd <see cref="ServiceBusClient"/> and <see cref="ServiceBusSender"/>.</summary>
public sealed class ServiceBusMessageSenderTests
{
    private readonly Mock<ServiceBusClient> _client = new(MockBehavior.Strict);
    private readonly ConcurrentDictionary<string, Mock<ServiceBusSender>> _senders = new();
    private readonly ConcurrentQueue<(string Entity, ServiceBusMessage Message)> _sent = new();
    private readonly ConcurrentQueue<(string Entity, int Count)> _batches = new();
    private int _perBatch = int.MaxValue;

    public ServiceBusMessageSenderTests()
    {
        _client.SetupGet(c => c.FullyQualifiedNamespace).Returns("contoso.servicebus.windows.net");
        _client.Setup(c => c.CreateSender(It.IsAny<string>())).Returns((string entity) => _senders.GetOrAdd(entity, NewSender).Object);
    }

    private Exception? Failure { get; set; }

    private Mock<ServiceBusSender> NewSender(string entity)
    {
        var sender = new Mock<ServiceBusSender>(MockBehavior.Strict);
        sender.SetupGet(s => s.EntityPath).Returns(entity);
        sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Returns((ServiceBusMessage m, CancellationToken ct) =>
            {
                ct.ThrowIfCancellationRequested();
                if (Failure is { } failure)
                {
                    throw failure;
                }

                _sent.Enqueue((entity, m));
                return Task.CompletedTask;
            });

        // The batch type is sealed: the model factory makes one whose messages land in a list of ours.
        var stores = new ConcurrentDictionary<ServiceBusMessageBatch, List<ServiceBusMessage>>();
        sender.Setup(s => s.CreateMessageBatchAsync(It.IsAny<CancellationToken>())).Returns((CancellationToken _) =>
        {
            var store = new List<ServiceBusMessage>();
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(4096, store, tryAddCallback: m => store.Count < _perBatch && m.Body.ToMemory().Length <= 1024);
            stores[batch] = store;
            return ValueTask.FromResult(batch);
        });
        sender.Setup(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()))
            .Returns((ServiceBusMessageBatch batch, CancellationToken _) =>
            {
                if (Failure is { } failure)
                {
                    throw failure;
                }

                var store = stores[batch];
                _batches.Enqueue((entity, store.Count));
                foreach (var m in store)
                {
                    _sent.Enqueue((entity, m));
                }

                return Task.CompletedTask;
            });
        sender.Setup(s => s.DisposeAsync()).Returns(ValueTask.CompletedTask);
        return sender;
    }

    private ServiceBusMessageSender Sender() => new(_client.Object);

    private static OutgoingMessage Event(int i) =>
        OutgoingMessage.FromJson(new { eventId = $"evt_{i}" }) with { MessageId = $"evt_{i}", CorrelationId = "ord_1", Subject = "order.status_changed" };

    [Fact]
    public async Task A_send_carries_message_id_subject_correlation_id_properties_content_type_ttl_and_schedule()
    {
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var message = OutgoingMessage.FromJson(new { orderId = "ord_1", chargeId = "chg_1" }) with
        {
            MessageId = "chg_1",
            CorrelationId = "ord_1",
            Subject = "charge.recurring",
            ScheduledEnqueueTimeUtc = at,
            TimeToLive = TimeSpan.FromDays(3),
        };
        message.ApplicationProperties["eventType"] = "order.status_changed";
        message.ApplicationProperties["note"] = "ünïcode \"quoted\" and more";

        await Sender().SendAsync(MessagingEntities.PaymentCharges, message);

        var (entity, sent) = Assert.Single(_sent);
        Assert.Equal(MessagingEntities.PaymentCharges, entity);
        Assert.Equal(("chg_1", "ord_1", "charge.recurring", "application/json"), (sent.MessageId, sent.CorrelationId, sent.Subject, sent.ContentType));
        Assert.Equal(at, sent.ScheduledEnqueueTime);
        Assert.Equal(TimeSpan.FromDays(3), sent.TimeToLive);
        Assert.Equal("""{"orderId":"ord_1","chargeId":"chg_1"}""", sent.Body.ToString());
        Assert.Equal("order.status_changed", sent.ApplicationProperties["eventType"]);
        Assert.Equal("ünïcode \"quoted\" and more", sent.ApplicationProperties["note"]);
    }

    [Fact]
    public async Task A_message_without_schedule_or_ttl_leaves_the_broker_defaults()
    {
        await Sender().SendAsync(MessagingEntities.PaymentEvents, new OutgoingMessage(new byte[] { 0, 1, 2 }) { MessageId = "m" });

        var sent = Assert.Single(_sent).Message;
        Assert.Equal(default, sent.ScheduledEnqueueTime);
        Assert.Equal(TimeSpan.MaxValue, sent.TimeToLive);
        Assert.Equal(new byte[] { 0, 1, 2 }, sent.Body.ToArray());
        Assert.Equal(OutgoingMessage.OctetStream, sent.ContentType);
    }

    [Fact]
    public async Task One_sender_is_made_per_entity_and_cached_across_concurrent_sends()
    {
        var sender = Sender();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            sender.SendAsync(i % 2 == 0 ? MessagingEntities.PaymentEvents : MessagingEntities.PaymentCharges, Event(i)))));

        Assert.Equal(40, _sent.Count);
        _client.Verify(c => c.CreateSender(MessagingEntities.PaymentEvents), Times.Once);
        _client.Verify(c => c.CreateSender(MessagingEntities.PaymentCharges), Times.Once);
    }

    [Fact]
    public async Task A_batch_goes_through_CreateMessageBatchAsync_in_one_send()
    {
        await Sender().SendBatchAsync(MessagingEntities.PaymentEvents, [.. Enumerable.Range(0, 50).Select(Event)]);

        Assert.Equal((MessagingEntities.PaymentEvents, 50), Assert.Single(_batches));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"evt_{i}"), _sent.Select(s => s.Message.MessageId));
        Assert.All(_sent, s => Assert.Equal(("ord_1", "order.status_changed"), (s.Message.CorrelationId, s.Message.Subject)));
    }

    [Fact]
    public async Task A_batch_larger_than_the_broker_takes_goes_in_several_batches_in_order()
    {
        _perBatch = 20;

        await Sender().SendBatchAsync(MessagingEntities.PaymentEvents, [.. Enumerable.Range(0, 50).Select(Event)]);

        Assert.Equal([20, 20, 10], _batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"evt_{i}"), _sent.Select(s => s.Message.MessageId));
    }

    [Fact]
    public async Task A_message_larger_than_an_empty_batch_fails_for_good_and_sends_nothing()
    {
        var big = new OutgoingMessage(new byte[2048]) { MessageId = "big" };

        var ex = await Assert.ThrowsAsync<MessageSendException>(() => Sender().SendBatchAsync(MessagingEntities.PaymentEvents, [big, Event(1)]));

        Assert.False(ex.IsTransient);
        Assert.Equal(nameof(ServiceBusFailureReason.MessageSizeExceeded), ex.Reason);
        Assert.Contains("big", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_batches);
    }

    [Fact]
    public async Task An_empty_batch_sends_nothing()
    {
        await Sender().SendBatchAsync(MessagingEntities.PaymentEvents, []);

        Assert.Empty(_sent);
        _senders.Values.ToList().ForEach(s => s.Verify(x => x.CreateMessageBatchAsync(It.IsAny<CancellationToken>()), Times.Never));
    }

    [Theory]
    [InlineData(ServiceBusFailureReason.ServiceCommunicationProblem, true)]
    [InlineData(ServiceBusFailureReason.ServiceBusy, true)]
    [InlineData(ServiceBusFailureReason.ServiceTimeout, true)]
    [InlineData(ServiceBusFailureReason.MessagingEntityNotFound, false)]
    [InlineData(ServiceBusFailureReason.QuotaExceeded, false)]
    public async Task A_Service_Bus_failure_becomes_the_port_s_exception_with_its_reason_and_transience(ServiceBusFailureReason reason, bool transient)
    {
        Failure = new ServiceBusException("Put token failed for sb://contoso/;SharedAccessKey=hunter2hunter2", reason, "payment-events");
        var sender = Sender();

        var single = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendAsync(MessagingEntities.PaymentEvents, Event(1)));
        var batch = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendBatchAsync(MessagingEntities.PaymentEvents, [Event(1), Event(2)]));

        foreach (var ex in new[] { single, batch })
        {
            Assert.Equal((reason.ToString(), transient, MessagingEntities.PaymentEvents), (ex.Reason, ex.IsTransient, ex.EntityPath));
            Assert.Contains(reason.ToString(), ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
            Assert.IsType<ServiceBusException>(ex.InnerException);
        }
    }

    [Fact]
    public async Task Bad_credentials_fail_for_good_and_a_timeout_is_transient()
    {
        var sender = Sender();

        Failure = new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required to perform this operation.");
        var denied = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendAsync(MessagingEntities.PaymentEvents, Event(1)));
        Failure = new Azure.Identity.CredentialUnavailableException("no managed identity");
        var noToken = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendAsync(MessagingEntities.PaymentEvents, Event(1)));
        Failure = new TimeoutException("The operation did not complete within the allocated time.");
        var slow = await Assert.ThrowsAsync<MessageSendException>(() => sender.SendBatchAsync(MessagingEntities.PaymentEvents, [Event(1)]));

        Assert.Equal(("Unauthorized", false), (denied.Reason, denied.IsTransient));
        Assert.Equal(("Unauthorized", false), (noToken.Reason, noToken.IsTransient));
        Assert.Equal(("Timeout", true), (slow.Reason, slow.IsTransient));
    }

    [Fact]
    public async Task The_caller_s_cancellation_is_not_turned_into_a_send_failure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender().SendAsync(MessagingEntities.PaymentEvents, Event(1), cancelled.Token));
    }

    [Fact]
    public async Task Disposing_closes_the_senders_it_made()
    {
        var sender = Sender();
        await sender.SendAsync(MessagingEntities.PaymentEvents, Event(1));

        await sender.DisposeAsync();

        _senders[MessagingEntities.PaymentEvents].Verify(s => s.DisposeAsync(), Times.Once);
    }

    [Fact]
    public void Entity_names_are_required()
    {
        Assert.ThrowsAny<ArgumentException>(() => Sender().SenderFor(" "));
    }
}
