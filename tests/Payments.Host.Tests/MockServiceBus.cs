using Azure.Messaging.ServiceBus;
using Moq;
using Payments.Host.Charges;
using Payments.Messaging.Webhooks;

namespace Payments.Host.Tests;

/// <summary>
/// A Service Bus namespace played with Moq: the app keeps its real <c>ServiceBusMessageSender</c>, over a mocked
/// <see cref="ServiceBusClient"/> whose <see cref="ServiceBusSender"/>s accept (<see cref="Mode.Up"/>), refuse with the
/// SDK's transient <c>ServiceCommunicationProblem</c> (<see cref="Mode.Down"/>), take the messages and then fail with
/// <c>ServiceTimeout</c> (<see cref="Mode.LosesAnswers"/>), or never complete and ignore the token, as the SDK does while
/// it connects to an endpoint that never answers (<see cref="Mode.Hangs"/>). Batches are
/// <see cref="ServiceBusModelFactory.ServiceBusMessageBatch"/>es (the batch type is sealed).
/// </summary>
public sealed class MockServiceBus
{
    public const string Namespace = "payments-test.servicebus.windows.net";

    public enum Mode
    {
        Up,
        Down,
        LosesAnswers,
        Hangs,
    }

    private readonly ConcurrentDictionary<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = new();
    private readonly Mock<ServiceBusClient> _client = new(MockBehavior.Strict);
    private TaskCompletionSource _hung = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Mode _state;
    private int _refused;
    private int _hanging;
    private int _delivered;

    public MockServiceBus(Mode state = Mode.Up, bool duplicateDetection = true)
    {
        _state = state;
        DuplicateDetection = duplicateDetection;
        _client.SetupGet(c => c.FullyQualifiedNamespace).Returns(Namespace);
        _client.Setup(c => c.CreateSender(It.IsAny<string>())).Returns((string entity) => Sender(entity).Object);
        _client.Setup(c => c.DisposeAsync()).Returns(ValueTask.CompletedTask);
    }

    /// <summary>Drops a message whose MessageId the entity already has, as the broker's duplicate detection does.</summary>
    public bool DuplicateDetection { get; }

    public Mode State
    {
        get => _state;
        set
        {
            _state = value;
            if (value != Mode.Hangs)
            {
                // The hung sends end at last (as the SDK's would after TryTimeout + 5 s), with a transient failure.
                Interlocked.Exchange(ref _hung, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
                    .TrySetException(new ServiceBusException("The connection attempt timed out.", ServiceBusFailureReason.ServiceTimeout));
            }
        }
    }

    /// <summary>Sends refused or lost (Down, LosesAnswers).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Sends that hung (Hangs).</summary>
    public int Hanging => Volatile.Read(ref _hanging);

    public ConcurrentQueue<BusMessage> Accepted { get; } = new();

    public IReadOnlyList<BusMessage> On(string entity) => [.. Accepted.Where(m => m.Entity == entity)];

    /// <summary>Settings that select Service Bus (a namespace, so no key anywhere) for <see cref="TestApp"/>.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null) =>
        new(more ?? new Dictionary<string, string?>()) { ["ServiceBus:FullyQualifiedNamespace"] = Namespace };

    /// <summary>Registers the mocked client before the app's own (its TryAdd registration then keeps this one).</summary>
    public void Register(IServiceCollection services) => services.AddSingleton(_client.Object);

    public void VerifyOneSenderPerEntity()
    {
        foreach (var entity in Accepted.Select(m => m.Entity).Distinct())
        {
            _client.Verify(c => c.CreateSender(entity), Times.Once);
        }
    }

    /// <summary>
    /// Plays the Functions host: hands every accepted message not handed out yet to its function (events to the
    /// webhook fan-out, jobs to the webhook delivery, charges to RunCharge; scheduled ones as if their time had come),
    /// then what those sent, until nothing is left. Asserts that every delivery succeeded; returns how many were made.
    /// </summary>
    public async Task<int> DeliverAllAsync(TestApp app)
    {
        var made = 0;
        while (true)
        {
            await app.WhenPublishedAsync();
            var all = Accepted.ToArray();
            var start = Volatile.Read(ref _delivered);
            if (start >= all.Length)
            {
                return made;
            }

            Volatile.Write(ref _delivered, all.Length);
            foreach (var message in all[start..])
            {
                var function = message.Entity switch
                {
                    MessagingEntities.PaymentEvents => "WebhookFanOut",
                    WebhookOptions.DefaultDeliveryQueue => "WebhookDelivery",
                    MessagingEntities.PaymentCharges => ChargeHandler.FunctionName,
                    _ => throw new InvalidOperationException($"no function listens on {message.Entity}"),
                };
                var result = await app.DeliverAsync(function, new ReceivedMessage
                {
                    Body = System.Text.Encoding.UTF8.GetBytes(message.Body),
                    ContentType = "application/json",
                    MessageId = message.MessageId,
                    CorrelationId = message.CorrelationId,
                    Subject = message.Subject,
                });
                Assert.True(result.Succeeded, $"{function} failed {message.MessageId}: {result.Reason}");
                made++;
            }
        }
    }

    private Mock<ServiceBusSender> Sender(string entity)
    {
        var sender = new Mock<ServiceBusSender>(MockBehavior.Strict);
        sender.SetupGet(s => s.EntityPath).Returns(entity);
        sender.SetupGet(s => s.FullyQualifiedNamespace).Returns(Namespace);
        sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Returns((ServiceBusMessage m, CancellationToken _) => SendAsync(entity, [m]));
        sender.Setup(s => s.CreateMessageBatchAsync(It.IsAny<CancellationToken>())).Returns((CancellationToken _) =>
        {
            var store = new List<ServiceBusMessage>();
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(256 * 1024, store);
            _batches[batch] = store;
            return ValueTask.FromResult(batch);
        });
        sender.Setup(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()))
            .Returns((ServiceBusMessageBatch batch, CancellationToken _) => SendAsync(entity, _batches.TryRemove(batch, out var store) ? store : []));
        sender.Setup(s => s.DisposeAsync()).Returns(ValueTask.CompletedTask);
        return sender;
    }

    /// <summary>The token is ignored on purpose: the SDK does so while it connects.</summary>
    private Task SendAsync(string entity, IReadOnlyList<ServiceBusMessage> messages)
    {
        switch (State)
        {
            case Mode.Down:
                Interlocked.Increment(ref _refused);
                return Task.FromException(new ServiceBusException("The namespace could not be reached.", ServiceBusFailureReason.ServiceCommunicationProblem));
            case Mode.Hangs:
                Interlocked.Increment(ref _hanging);
                return Volatile.Read(ref _hung).Task;
            case Mode.LosesAnswers:
                Accept(entity, messages);
                Interlocked.Increment(ref _refused);
                return Task.FromException(new ServiceBusException("The operation did not complete within the allocated time.", ServiceBusFailureReason.ServiceTimeout));
            default:
                Accept(entity, messages);
                return Task.CompletedTask;
        }
    }

    private void Accept(string entity, IReadOnlyList<ServiceBusMessage> messages)
    {
        lock (Accepted)
        {
            foreach (var m in messages)
            {
                Assert.False(string.IsNullOrEmpty(m.MessageId), "every message we send has a stable MessageId");
                if (DuplicateDetection && Accepted.Any(a => a.Entity == entity && a.MessageId == m.MessageId))
                {
                    continue;
                }

                Accepted.Enqueue(new BusMessage(entity, m.MessageId, m.Body.ToString(), m.Subject, m.CorrelationId,
                    m.ScheduledEnqueueTime == default ? null : m.ScheduledEnqueueTime));
            }
        }
    }
}
