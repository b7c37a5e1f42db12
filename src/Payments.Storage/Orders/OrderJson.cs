using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Events;
using Payments.Core.Money;
using Payments.Core.Orders;

namespace Payments.Storage.Orders;

/// <summary>
/// How orders and events are stored as JSON: System.Text.Json web defaults (camelCase), statuses by wire
/// name, nulls left out, and <see cref="Money"/> as <c>{"minor":4990,"currency":"CHF"}</c> (its
/// <see cref="Currency"/> has no public constructor and is rebuilt with <see cref="Currency.FromCode"/>).
/// </summary>
public static class OrderJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(Order order) => JsonSerializer.Serialize(order, Options);

    public static Order DeserializeOrder(string json) =>
        JsonSerializer.Deserialize<Order>(json, Options) ?? throw new JsonException("The stored order is null.");

    public static string Serialize(PaymentEvent paymentEvent) => JsonSerializer.Serialize(paymentEvent, Options);

    public static PaymentEvent DeserializeEvent(string json) =>
        JsonSerializer.Deserialize<PaymentEvent>(json, Options) ?? throw new JsonException("The stored event is null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            IgnoreReadOnlyProperties = true,
        };
        options.Converters.Add(new MoneyJsonConverter());
        options.Converters.Add(new CurrencyJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class MoneyJsonConverter : JsonConverter<Money>
    {
        public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("Money must be an object {\"minor\":…,\"currency\":…}.");
            }

            long? minor = null;
            string? currency = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                if (string.Equals(name, "minor", StringComparison.OrdinalIgnoreCase))
                {
                    minor = reader.GetInt64();
                }
                else if (string.Equals(name, "currency", StringComparison.OrdinalIgnoreCase))
                {
                    currency = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            if (minor is null || currency is null)
            {
                throw new JsonException("Money needs both minor and currency.");
            }

            return new Money(minor.Value, Currency.FromCode(currency));
        }

        public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("minor", value.Minor);
            writer.WriteString("currency", value.Currency.Code);
            writer.WriteEndObject();
        }
    }

    private sealed class CurrencyJsonConverter : JsonConverter<Currency>
    {
        public override Currency Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Currency.FromCode(reader.GetString() ?? throw new JsonException("Currency code is null."));

        public override void Write(Utf8JsonWriter writer, Currency value, JsonSerializerOptions options) => writer.WriteStringValue(value.Code);
    }
}
