using System.Text;
using System.Text.Json;

namespace Payments.Messaging;

/// <summary>
/// A message to send to a queue or topic. The body is bytes; <see cref="FromText"/> and <see cref="FromJson{T}"/>
/// make text bodies (UTF-8). Application properties are strings (AMQP application properties: any name and value). A record, so
/// <c>OutgoingMessage.FromJson(x) with { MessageId = … }</c> works; <c>with</c> shares the properties dictionary.
/// </summary>
public sealed record OutgoingMessage
{
    public const string OctetStream = "application/octet-stream";
    public const string Json = "application/json";
    public const string PlainText = "text/plain; charset=utf-8";

    public OutgoingMessage(ReadOnlyMemory<byte> body, string? contentType = OctetStream)
    {
        Body = body;
        ContentType = contentType;
    }

    private OutgoingMessage(ReadOnlyMemory<byte> body, string? contentType, bool isText)
        : this(body, contentType)
    {
        IsText = isText;
    }

    /// <summary>A text body, sent as its UTF-8 bytes.</summary>
    public static OutgoingMessage FromText(string text, string? contentType = PlainText)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new OutgoingMessage(Encoding.UTF8.GetBytes(text), contentType, isText: true);
    }

    /// <summary>A JSON body (System.Text.Json, web defaults unless <paramref name="options"/> are given).</summary>
    public static OutgoingMessage FromJson<T>(T value, JsonSerializerOptions? options = null) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, options ?? JsonDefaults.Web), Json, isText: true);

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>True when the body is UTF-8 text (made by <see cref="FromText"/> or <see cref="FromJson{T}"/>).</summary>
    public bool IsText { get; }

    public string? ContentType { get; init; }

    /// <summary>
    /// The broker's duplicate detection key. Set it to something stable (the event id) so that a send repeated
    /// after a lost response is dropped by the broker. When null the broker assigns one (and cannot dedupe).
    /// </summary>
    public string? MessageId { get; init; }

    public string? CorrelationId { get; init; }

    /// <summary>The message subject (<c>ServiceBusMessage.Subject</c>; older SDKs and the REST API call it Label).</summary>
    public string? Subject { get; init; }

    /// <summary>When set, the broker holds the message until then (a scheduled message; <c>ServiceBusMessage.ScheduledEnqueueTime</c>).</summary>
    public DateTimeOffset? ScheduledEnqueueTimeUtc { get; init; }

    public TimeSpan? TimeToLive { get; init; }

    /// <summary>Application (custom, user) properties.</summary>
    public IDictionary<string, string> ApplicationProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The body as text (UTF-8), whatever it was made from.</summary>
    public string BodyAsString() => Encoding.UTF8.GetString(Body.Span);

    public override string ToString() =>
        $"Message {MessageId ?? "(no id)"} ({Body.Length} bytes{(ScheduledEnqueueTimeUtc is { } at ? ", at " + at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : string.Empty)})";
}
