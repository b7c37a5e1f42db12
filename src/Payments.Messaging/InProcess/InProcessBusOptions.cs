namespace Payments.Messaging.InProcess;

/// <summary>The in-process bus (standalone runs and tests). Section <c>ServiceBus:InProcess</c>.</summary>
public sealed class InProcessBusOptions
{
    public const string SectionName = "ServiceBus:InProcess";

    /// <summary>A message whose delivery failed this many times is dead-lettered (Service Bus's default is 10).</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>A second message with the same MessageId within this window is dropped (Service Bus's default is 10 minutes).</summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many deliveries run at once.</summary>
    public int MaxConcurrentCalls { get; set; } = 4;

    /// <summary>How long an abandoned message waits before it is delivered again (Service Bus: at once).</summary>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Queues to create besides those handlers listen to.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>Topics to create besides those handlers listen to, each with the names of its subscriptions.</summary>
    public Dictionary<string, List<string>> Topics { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
