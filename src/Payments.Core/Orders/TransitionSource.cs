using System.Text.Json.Serialization;

namespace Payments.Core.Orders;

/// <summary>Where the signal that moved an order came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransitionSource>))]
public enum TransitionSource
{
    [JsonStringEnumMemberName("api")] Api,
    [JsonStringEnumMemberName("return")] Return,
    [JsonStringEnumMemberName("webhook")] Webhook,
    [JsonStringEnumMemberName("reconcile")] Reconcile,
}
