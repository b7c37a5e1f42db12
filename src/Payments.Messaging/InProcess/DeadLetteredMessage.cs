namespace Payments.Messaging.InProcess;

/// <summary>A message the in-process bus gave up on, with why (like Service Bus's dead-letter sub-queue).</summary>
public sealed record DeadLetteredMessage(
    string EntityPath,
    string? SubscriptionName,
    ReceivedMessage Message,
    string Reason,
    string? ErrorDescription,
    DateTimeOffset DeadLetteredAt)
{
    public const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";
}
