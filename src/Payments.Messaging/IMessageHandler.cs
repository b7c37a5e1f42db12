namespace Payments.Messaging;

/// <summary>
/// Handles one message of a Service Bus trigger. The same handler runs behind the custom-handler endpoint
/// (<c>POST /{FunctionName}</c>, invoked by the Functions host) and behind the in-process bus (standalone).
/// </summary>
/// <remarks>
/// Return <see cref="HandlerResult.Failure"/> (or throw) when the work failed and should be tried again: the
/// message is abandoned and redelivered, and dead-lettered after the entity's MaxDeliveryCount. Return
/// <see cref="HandlerResult.Success"/> when the message is done with, including when the handler decided to give
/// up on it for good and recorded that itself. Delivery is at least once: be idempotent by message id.
/// </remarks>
public interface IMessageHandler
{
    Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken);
}

/// <summary>What became of one delivery.</summary>
public sealed record HandlerResult
{
    private static readonly HandlerResult Done = new() { Succeeded = true };

    public bool Succeeded { get; private init; }

    /// <summary>Why it failed (logged by the host, kept with a dead-lettered message). Never a secret.</summary>
    public string? Reason { get; private init; }

    public static HandlerResult Success() => Done;

    public static HandlerResult Failure(string reason) => new() { Succeeded = false, Reason = reason };
}

/// <summary>A handler from a delegate.</summary>
public sealed class DelegateMessageHandler(Func<ReceivedMessage, CancellationToken, Task<HandlerResult>> handle) : IMessageHandler
{
    public Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken) => handle(message, cancellationToken);
}
