using System.Text;
using System.Text.Json;
using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

public sealed class EntityJsonTests
{
    [Fact]
    public void Writes_edm_annotations_for_types_json_cannot_tell_apart()
    {
        var entity = new TableEntity("p", "r")
        {
            ["S"] = "x",
            ["B"] = true,
            ["I"] = 7,
            ["L"] = 9_007_199_254_740_993L,
            ["D"] = 1.0,
            ["T"] = new DateTimeOffset(2025, 7, 1, 12, 0, 0, TimeSpan.FromHours(2)),
            ["G"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ["X"] = new byte[] { 1, 2, 3 },
        };

        var json = Encoding.UTF8.GetString(EdmValues.Serialize(entity));

        Assert.Equal(
            "{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"S\":\"x\",\"B\":true,\"I\":7,"
            + "\"L@odata.type\":\"Edm.Int64\",\"L\":\"9007199254740993\","
            + "\"D@odata.type\":\"Edm.Double\",\"D\":1,"
            + "\"T@odata.type\":\"Edm.DateTime\",\"T\":\"2025-07-01T10:00:00.0000000Z\","
            + "\"G@odata.type\":\"Edm.Guid\",\"G\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","
            + "\"X@odata.type\":\"Edm.Binary\",\"X\":\"AQID\"}",
            json);
    }

    [Fact]
    public void Reads_minimal_metadata_keeping_the_etag_exactly()
    {
        const string body = """
            {"odata.metadata":"http://x/$metadata#t/@Element","odata.etag":"W/\"datetime'2025-07-01T10%3A00%3A00.1234567Z'\"",
             "PartitionKey":"p","RowKey":"r","Timestamp@odata.type":"Edm.DateTime","Timestamp":"2025-07-01T10:00:00.1234567Z",
             "L@odata.type":"Edm.Int64","L":"-9007199254740993","I":42,"D":2.5,"Dw@odata.type":"Edm.Double","Dw":3,
             "Nan@odata.type":"Edm.Double","Nan":"NaN","G@odata.type":"Edm.Guid","G":"0f8fad5b-d9cb-469f-a165-70867728950e",
             "X@odata.type":"Edm.Binary","X":"AQID","T":"not a date without annotation","B":false}
            """;
        using var doc = JsonDocument.Parse(body);

        var entity = EdmValues.Read(doc.RootElement, etagHeader: null);

        Assert.Equal("W/\"datetime'2025-07-01T10%3A00%3A00.1234567Z'\"", entity.ETag);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567), entity.Timestamp);
        Assert.Equal(-9_007_199_254_740_993L, entity.GetInt64("L"));
        Assert.Equal(42, entity.GetInt32("I"));
        Assert.Equal(42L, entity.GetInt64("I"));
        Assert.Equal(2.5, entity.GetDouble("D"));
        Assert.IsType<double>(entity["Dw"]);
        Assert.True(double.IsNaN(entity.GetDouble("Nan")!.Value));
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), entity.GetGuid("G"));
        Assert.Equal(new byte[] { 1, 2, 3 }, entity.GetBinary("X"));
        Assert.Equal("not a date without annotation", entity.GetString("T"));
        Assert.False(entity.GetBoolean("B"));
        Assert.False(entity.ContainsKey("odata.etag"));
        Assert.Equal(9, entity.Count);
    }

    [Fact]
    public void Rejects_unsupported_types_and_system_property_names()
    {
        var entity = new TableEntity("p", "r");

        Assert.Throws<ArgumentException>(() => entity["M"] = 1.5m);
        Assert.Throws<ArgumentException>(() => entity["PartitionKey"] = "x");
        Assert.Throws<ArgumentException>(() => entity["a@odata.type"] = "x");
        entity["Gone"] = "x";
        entity["Gone"] = null;
        Assert.False(entity.ContainsKey("Gone"));
    }

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("a' or PartitionKey ne '", "'a'' or PartitionKey ne '''")]
    public void Filter_strings_are_quoted_with_quotes_doubled(string value, string literal)
    {
        Assert.Equal(literal, TableFilter.Quote(value));
        Assert.Equal($"PartitionKey eq {literal}", TableFilter.Of($"PartitionKey eq {value}"));
    }

    [Fact]
    public void Filter_literals_by_type()
    {
        var g = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var t = new DateTimeOffset(2025, 7, 1, 12, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal(
            "A eq 5L and B eq 3 and C eq true and D eq 2.5 and E eq 2.0 and F eq datetime'2025-07-01T10:00:00.0000000Z' and G eq guid'0f8fad5b-d9cb-469f-a165-70867728950e'",
            TableFilter.Of($"A eq {5L} and B eq {3} and C eq {true} and D eq {2.5} and E eq {2.0} and F eq {t} and G eq {g}"));
        Assert.Throws<ArgumentException>(() => TableFilter.Of($"A eq {(string?)null}"));
    }
}
