using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

public sealed class SharedKeyLiteTests
{
    private const string Date = "Tue, 01 Jul 2025 10:20:30 GMT";

    [Fact]
    public void String_to_sign_is_date_and_canonicalized_resource_with_the_account_twice_for_path_style()
    {
        var uri = new Uri("http://127.0.0.1:10002/devstoreaccount1/orders(PartitionKey='ord_1',RowKey='order')");

        var stringToSign = SharedKeyLiteAuthorizer.StringToSign(Date, "devstoreaccount1", uri);

        Assert.Equal(
            "Tue, 01 Jul 2025 10:20:30 GMT\n/devstoreaccount1/devstoreaccount1/orders(PartitionKey='ord_1',RowKey='order')",
            stringToSign);
    }

    [Fact]
    public void Canonicalized_resource_ignores_the_query_except_comp()
    {
        Assert.Equal(
            "/myaccount/mytable()",
            SharedKeyLiteAuthorizer.CanonicalizedResource("myaccount", new Uri("https://myaccount.table.core.windows.net/mytable()?$filter=a%20eq%201&$top=5")));
        Assert.Equal(
            "/myaccount/?comp=properties",
            SharedKeyLiteAuthorizer.CanonicalizedResource("myaccount", new Uri("https://myaccount.table.core.windows.net/?restype=service&comp=properties")));
        Assert.Equal(
            "/myaccount/$batch",
            SharedKeyLiteAuthorizer.CanonicalizedResource("myaccount", new Uri("https://myaccount.table.core.windows.net/$batch")));
    }

    [Fact]
    public void Canonicalized_resource_keeps_the_path_percent_encoded_as_sent()
    {
        var uri = new Uri("https://acct.table.core.windows.net/t(PartitionKey='a%20b%27%27c',RowKey='%C3%A9')");
        Assert.Equal("/acct/t(PartitionKey='a%20b%27%27c',RowKey='%C3%A9')", SharedKeyLiteAuthorizer.CanonicalizedResource("acct", uri));
    }

    [Fact]
    public void Signature_is_base64_hmac_sha256_of_the_string_to_sign_with_the_decoded_key()
    {
        // Expected values computed independently (Python hmac/hashlib) for the well-known emulator key.
        var key = Convert.FromBase64String(StorageConnectionString.DevelopmentAccountKey);

        Assert.Equal(
            "PljHuHYUUw/Mmn9X2WH0CmL2DZ6SQm6XCC7bxFLZ+To=",
            SharedKeyLiteAuthorizer.Sign(key, Date + "\n/devstoreaccount1/devstoreaccount1/orders(PartitionKey='ord_1',RowKey='order')"));
        Assert.Equal("FTLwKPTyaesadjlBLIJsfi6mQ/3Kj9pmL1n1Th9PjT4=", SharedKeyLiteAuthorizer.Sign(key, Date + "\n/myaccount/mytable()"));
    }

    [Fact]
    public async Task Requests_carry_x_ms_date_and_a_SharedKeyLite_header_that_matches_it()
    {
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(System.Net.HttpStatusCode.NotFound));
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");

        Assert.Null(await table.GetEntityAsync("ord_1", "order"));

        var (_, uri, authorization, date) = Assert.Single(handler.Requests);
        Assert.NotNull(date);
        var key = Convert.FromBase64String(StorageConnectionString.DevelopmentAccountKey);
        var expected = "SharedKeyLite devstoreaccount1:" + SharedKeyLiteAuthorizer.Sign(key, SharedKeyLiteAuthorizer.StringToSign(date!, "devstoreaccount1", uri));
        Assert.Equal(expected, authorization);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1/orders(PartitionKey='ord_1',RowKey='order')", uri.AbsoluteUri);
    }

    [Fact]
    public void Date_is_rfc1123()
    {
        Assert.Equal(Date, SharedKeyLiteAuthorizer.FormatDate(new DateTimeOffset(2025, 7, 1, 12, 20, 30, TimeSpan.FromHours(2))));
    }
}
