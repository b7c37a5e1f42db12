using Payments.Messaging.Functions;

namespace Payments.Messaging.Tests.Functions;

public class EnvelopeDecodingTests
{
    private static ReceivedMessage Decode(string json, string binding = "message", TriggerDataType dataType = TriggerDataType.Text) =>
        ServiceBusTriggerDecoder.Decode(FunctionInvocation.Parse(Encoding.UTF8.GetBytes(json)), binding, dataType);

    [Fact]
    public void A_host_built_envelope_decodes_double_encoded_strings_and_numbers_as_strings()
    {
        const string body = "{\"eventId\":\"evt_1\",\"status\":\"succeeded\",\"note\":\"a \\\"quoted\\\" word\"}";
        var json = HostEnvelope.ServiceBus("message", body, messageId: "evt_1", deliveryCount: 3,
            applicationProperties: new Dictionary<string, object> { ["type"] = "order.status_changed", ["attempt"] = 2, ["final"] = false },
            subject: "order.status_changed", correlationId: "ord_7");

        var message = Decode(json);

        Assert.Equal(body, message.BodyAsString);
        Assert.Equal("evt_1", message.MessageId);
        Assert.Equal(3, message.DeliveryCount);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 30, TimeSpan.Zero), message.EnqueuedTimeUtc);
        Assert.Equal(123, message.SequenceNumber);
        Assert.Equal("ord_7", message.CorrelationId);
        Assert.Equal("order.status_changed", message.Subject);
        Assert.Equal("order.status_changed", message.ApplicationProperties["type"]);
        Assert.Equal("2", message.ApplicationProperties["attempt"]);
        Assert.Equal("false", message.ApplicationProperties["final"]);
    }

    [Fact]
    public void A_plain_text_body_loses_exactly_one_layer_of_encoding()
    {
        Assert.Equal("hello", Decode("""{"Data":{"message":"\"hello\""},"Metadata":{}}""").BodyAsString);
        Assert.Equal("\"quoted\"", Decode("""{"Data":{"message":"\"\\\"quoted\\\"\""},"Metadata":{}}""").BodyAsString);
        Assert.Equal(string.Empty, Decode("""{"Data":{"message":"\"\""}}""").BodyAsString);
    }

    [Fact]
    public void Values_that_were_not_encoded_twice_are_taken_as_they_are()
    {
        var message = Decode("""
            {"Data":{"message":"{\"a\":1}"},
             "Metadata":{"MessageId":"abc","DeliveryCount":4,"EnqueuedTimeUtc":"2024-05-01T10:20:30.1234567Z","Label":"legacy",
                         "UserProperties":{"k":"v"}}}
            """);

        Assert.Equal("{\"a\":1}", message.BodyAsString);
        Assert.Equal("abc", message.MessageId);
        Assert.Equal(4, message.DeliveryCount);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 30, TimeSpan.Zero).AddTicks(1234567), message.EnqueuedTimeUtc);
        Assert.Equal("legacy", message.Subject);
        Assert.Equal("v", message.ApplicationProperties["k"]);
    }

    [Fact]
    public void An_object_body_and_an_envelope_encoded_as_a_string_are_accepted()
    {
        Assert.Equal("{\"a\":[1,2]}", Decode("""{"Data":{"message":{"a":[1,2]}}}""").BodyAsString);

        var nested = Decode("""{"Data":"{\"message\":\"\\\"hi\\\"\"}","Metadata":"{\"MessageId\":\"\\\"m-2\\\"\",\"DeliveryCount\":\"\\\"2\\\"\"}"}""");
        Assert.Equal("hi", nested.BodyAsString);
        Assert.Equal("m-2", nested.MessageId);
        Assert.Equal(2, nested.DeliveryCount);
    }

    [Fact]
    public void Missing_or_null_metadata_gives_defaults()
    {
        foreach (var json in new[] { """{"Data":{"message":"\"x\""}}""", """{"Data":{"message":"\"x\""},"Metadata":null}""", """{"data":{"MESSAGE":"\"x\""},"metadata":{}}""" })
        {
            var message = Decode(json);
            Assert.Equal("x", message.BodyAsString);
            Assert.Null(message.MessageId);
            Assert.Equal(1, message.DeliveryCount);
            Assert.Null(message.EnqueuedTimeUtc);
            Assert.Empty(message.ApplicationProperties);
        }
    }

    [Fact]
    public void Odd_metadata_values_are_ignored_not_fatal()
    {
        var message = Decode("""
            {"Data":{"message":"\"x\""},
             "Metadata":{"MessageId":{"weird":true},"DeliveryCount":"many","EnqueuedTimeUtc":"yesterday","SequenceNumber":[1],
                         "ApplicationProperties":"not an object","ContentType":"\"application/json\"","Subject":null}}
            """);

        Assert.Null(message.MessageId);
        Assert.Equal(1, message.DeliveryCount);
        Assert.Null(message.EnqueuedTimeUtc);
        Assert.Null(message.SequenceNumber);
        Assert.Empty(message.ApplicationProperties);
        Assert.Equal("application/json", message.ContentType);
        Assert.Null(message.Subject);
    }

    [Fact]
    public void Dates_in_the_hosts_other_forms_parse_as_UTC()
    {
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 30, TimeSpan.Zero),
            Decode("""{"Data":{"message":"\"x\""},"Metadata":{"EnqueuedTime":"2024-05-01T12:20:30+02:00"}}""").EnqueuedTimeUtc);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 30, TimeSpan.Zero),
            Decode("""{"Data":{"message":"\"x\""},"Metadata":{"EnqueuedTimeUtc":"05/01/2024 10:20:30"}}""").EnqueuedTimeUtc);
    }

    [Fact]
    public void Binary_bodies_arrive_as_base64()
    {
        var message = Decode("""{"Data":{"message":"AAEC/w=="}}""", dataType: TriggerDataType.Binary);

        Assert.Equal(new byte[] { 0, 1, 2, 255 }, message.Body.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{\"Data\":")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"Data\":42}")]
    [InlineData("{\"Data\":{\"other\":\"\\\"x\\\"\"}}")]
    [InlineData("{\"Metadata\":{}}")]
    [InlineData("{\"Data\":{\"message\":\"x\"},\"Metadata\":[1]}")]
    public void Garbage_throws_a_typed_exception(string json)
    {
        var ex = Assert.Throws<InvocationEnvelopeException>(() => Decode(json));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void A_binary_binding_with_a_non_base64_value_is_garbage()
    {
        Assert.Throws<InvocationEnvelopeException>(() => Decode("""{"Data":{"message":"\"not base64!\""}}""", dataType: TriggerDataType.Binary));
    }

    [Fact]
    public void Timer_envelopes_decode_and_missing_parts_are_fine()
    {
        var info = TimerTriggerDecoder.Decode(FunctionInvocation.Parse(Encoding.UTF8.GetBytes(HostEnvelope.Timer("timer", pastDue: true))), "timer");
        Assert.True(info.IsPastDue);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 15, 0, TimeSpan.Zero), info.Last);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 0, TimeSpan.Zero), info.Next);

        var nullStatus = TimerTriggerDecoder.Decode(FunctionInvocation.Parse("""{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":"true"}}}"""u8), "timer");
        Assert.Equal(new TimerInfo(true, null, null, null), nullStatus);

        Assert.Equal(TimerInfo.None, TimerTriggerDecoder.Decode(FunctionInvocation.Parse("{}"u8), "timer"));
        Assert.Equal(TimerInfo.None, TimerTriggerDecoder.Decode(FunctionInvocation.Parse("""{"Data":{"timer":"\"odd\""}}"""u8), "timer"));
    }

    [Theory]
    [InlineData("\"\\\"abc\\\"\"", "abc")]
    [InlineData("\"\\\"\\\\\\\"abc\\\\\\\"\\\"\"", "abc")]
    [InlineData("\"abc\"", "abc")]
    [InlineData("\"\\\"unterminated\"", "\"unterminated")]
    public void Unwrap_removes_string_encoding_layers(string jsonLiteral, string expected)
    {
        var text = System.Text.Json.JsonSerializer.Deserialize<string>(jsonLiteral)!;

        Assert.Equal(expected, EnvelopeValues.Unwrap(text));
    }
}
