using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Payments.Messaging.ServiceBus;

/// <summary>
/// The REST API's message framing: the <c>BrokerProperties</c> JSON (MessageId, CorrelationId, Label,
/// ScheduledEnqueueTimeUtc in RFC 1123, TimeToLive in seconds), custom properties as HTTP headers for single
/// sends, and the JSON array of <c>{Body, BrokerProperties, UserProperties}</c> for batches.
/// </summary>
internal static class BrokerProperties
{
    public const string HeaderName = "BrokerProperties";
    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";

    /// <summary>Headers the request itself uses: a custom property by one of these names would clash.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", HeaderName, "Content-Type", "Content-Length", "Content-Encoding", "Host", "Connection",
        "Transfer-Encoding", "Expect", "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Authorization", "Accept",
        "Accept-Encoding", "User-Agent", "x-ms-retrypolicy",
    };

    /// <summary>The BrokerProperties JSON of one message (ASCII only: other characters are \u-escaped).</summary>
    public static string ToJson(OutgoingMessage message, bool batch)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, message, batch);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void Write(Utf8JsonWriter writer, OutgoingMessage message, bool batch)
    {
        writer.WriteStartObject();
        if (message.MessageId is { } id)
        {
            writer.WriteString("MessageId", id);
        }

        if (message.CorrelationId is { } correlation)
        {
            writer.WriteString("CorrelationId", correlation);
        }

        if (message.Subject is { } subject)
        {
            writer.WriteString("Label", subject);
        }

        if (message.ScheduledEnqueueTimeUtc is { } at)
        {
            writer.WriteString("ScheduledEnqueueTimeUtc", FormatRfc1123(at));
        }

        if (message.TimeToLive is { } ttl)
        {
            // "TimeToLive" (seconds) is the documented broker property; the batch example in the docs uses
            // "TimeToLiveTimeSpan" (d.hh:mm:ss). Batches carry both, with the same value.
            writer.WriteNumber("TimeToLive", Math.Round(ttl.TotalSeconds, 3));
            if (batch)
            {
                writer.WriteString("TimeToLiveTimeSpan", ttl.ToString("c", CultureInfo.InvariantCulture));
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>RFC 1123, as the REST API wants dates: <c>Sun, 06 Nov 1994 08:49:37 GMT</c>.</summary>
    public static string FormatRfc1123(DateTimeOffset at) => at.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// The body of a batch send: a JSON array of <c>{"Body", "BrokerProperties", "UserProperties"}</c>. Text bodies go as
    /// strings; binary bodies as base64 with <c>"IsBodyBase64": true</c>.
    /// </summary>
    public static byte[] BatchBody(IReadOnlyList<OutgoingMessage> messages)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                if (message.IsText)
                {
                    writer.WriteString("Body", message.BodyAsString());
                }
                else
                {
                    writer.WriteBase64String("Body", message.Body.Span);
                    writer.WriteBoolean("IsBodyBase64", true);
                }

                writer.WritePropertyName("BrokerProperties");
                Write(writer, message, batch: true);
                if (message.ApplicationProperties.Count > 0)
                {
                    writer.WriteStartObject("UserProperties");
                    foreach (var (name, value) in message.ApplicationProperties)
                    {
                        writer.WriteString(name, value);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A custom property as a request header. String values go in double quotes, as Microsoft's REST SDKs send them,
    /// so that the broker keeps them as strings (an unquoted <c>12345</c> could be typed as a number).
    /// </summary>
    public static string HeaderValue(string value) => "\"" + value + "\"";

    /// <summary>Throws when a property cannot travel as an HTTP header (names: tokens; values: printable ASCII, no quotes).</summary>
    public static void ValidateHeaderProperties(OutgoingMessage message)
    {
        foreach (var (name, value) in message.ApplicationProperties)
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
            {
                throw new ArgumentException($"Application property name '{name}' cannot be sent as an HTTP header (use letters, digits and -_.).", nameof(message));
            }

            if (ReservedHeaders.Contains(name))
            {
                throw new ArgumentException($"Application property name '{name}' clashes with a request header of the REST API.", nameof(message));
            }

            if (value is null || value.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            {
                throw new ArgumentException($"The value of application property '{name}' must be printable ASCII without quotes or backslashes to travel as an HTTP header.", nameof(message));
            }
        }
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
