namespace Payments.Messaging;

/// <summary>The Service Bus entities of DESIGN §6.</summary>
public static class MessagingEntities
{
    /// <summary>The topic every order status change is published to (MessageId = event id).</summary>
    public const string PaymentEvents = "payment-events";

    /// <summary>The queue of follow-up charges (upsells, recurring charges; scheduled messages).</summary>
    public const string PaymentCharges = "payment-charges";
}
