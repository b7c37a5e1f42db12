using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging;

/// <summary>
/// A message as a handler sees it, from the Functions host's invocation envelope or from the in-process bus.
/// Delivery is at least once: the same <see cref="MessageId"/> may arrive again, so handlers must be idempotent.
/// </summary>
public sealed class ReceivedMessage
{
    private static readonly IReadOnlyDictionary<string, string> NoProperties = new Dictionary<string, string>();

    private string? _text;

    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyAsString => _text ??= Encoding.UTF8.GetString(Body.Span);

    public string? ContentType { get; init; }

    /// <summary>The sender's message id (our event or charge id). Null only when the host sent no metadata.</summary>
    public string? MessageId { get; init; }

    /// <summary>1 on the first delivery, then one more on every redelivery.</summary>
    public int DeliveryCount { get; init; } = 1;

    public DateTimeOffset? EnqueuedTimeUtc { get; init; }

    public long? SequenceNumber { get; init; }

    public string? CorrelationId { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyDictionary<string, string> ApplicationProperties { get; init; } = NoProperties;

    /// <summary>Deserializes the body as JSON (web defaults unless <paramref name="options"/> are given).</summary>
    public T? BodyAsJson<T>(JsonSerializerOptions? options = null) =>
        JsonSerializer.Deserialize<T>(Body.Span, options ?? JsonDefaults.Web);

    /// <summary>
    /// Reads the body as JSON of <typeparamref name="T"/> for a handler (<paramref name="body"/> is null for a JSON
    /// <c>null</c>); false, with an error naming the message and <paramref name="what"/> (e.g. "a payment event") logged,
    /// when it is not valid JSON of it.
    /// </summary>
    public bool TryReadBody<T>(ILogger logger, string what, out T? body)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            body = BodyAsJson<T>();
            return true;
        }
        catch (JsonException ex)
        {
            logger.LogError("Message {MessageId} is not {What}: {Error}", MessageId, what, ex.Message);
            body = null;
            return false;
        }
    }

    public override string ToString() =>
        $"Message {MessageId ?? "(no id)"} (delivery {DeliveryCount}, {Body.Length} bytes, subject {Subject ?? "-"})";
}
