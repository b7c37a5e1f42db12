using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging.Webhooks;

/// <summary>A handler's reading of its message body: the JSON it expects, or null (logged) when the body is not that.</summary>
internal static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>; null, with an error naming the message and <paramref name="what"/>, when it is not valid JSON of it.</summary>
    public static T? Read<T>(ReceivedMessage message, ILogger logger, string what)
        where T : class
    {
        try
        {
            return message.BodyAsJson<T>();
        }
        catch (JsonException ex)
        {
            logger.LogError("Message {MessageId} is not {What}: {Error}", message.MessageId, what, ex.Message);
            return null;
        }
    }
}
