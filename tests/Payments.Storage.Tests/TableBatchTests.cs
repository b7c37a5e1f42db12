using System.Net;
using System.Text;
using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

public sealed class TableBatchTests
{
    private const string Endpoint = "http://127.0.0.1:10002/devstoreaccount1";

    [Fact]
    public void Body_has_one_changeset_with_an_embedded_request_per_action_in_order()
    {
        var actions = new[]
        {
            TableTransactionAction.Add(new TableEntity("p", "a") { ["N"] = 1 }),
            TableTransactionAction.UpdateReplace(new TableEntity("p", "b"), "W/\"datetime'2025-01-01T00%3A00%3A00.0000000Z'\""),
            TableTransactionAction.UpdateMerge(new TableEntity("p", "c"), "*"),
            TableTransactionAction.UpsertReplace(new TableEntity("p", "d")),
            TableTransactionAction.UpsertMerge(new TableEntity("p", "e")),
            TableTransactionAction.Delete("p", "it's"),
        };

        var body = Encoding.UTF8.GetString(TableBatch.BuildBody(Endpoint, "orders", actions, "batch_B", "changeset_C"));

        var expectedStart =
            "--batch_B\r\nContent-Type: multipart/mixed; boundary=changeset_C\r\n\r\n"
            + "--changeset_C\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            + "POST http://127.0.0.1:10002/devstoreaccount1/orders HTTP/1.1\r\nContent-ID: 1\r\n";
        Assert.StartsWith(expectedStart, body, StringComparison.Ordinal);
        Assert.EndsWith("--changeset_C--\r\n--batch_B--\r\n", body, StringComparison.Ordinal);
        Assert.Contains("{\"PartitionKey\":\"p\",\"RowKey\":\"a\",\"N\":1}\r\n", body, StringComparison.Ordinal);
        Assert.Contains(
            "PUT http://127.0.0.1:10002/devstoreaccount1/orders(PartitionKey='p',RowKey='b') HTTP/1.1\r\nContent-ID: 2\r\n",
            body, StringComparison.Ordinal);
        Assert.Contains("If-Match: W/\"datetime'2025-01-01T00%3A00%3A00.0000000Z'\"\r\n", body, StringComparison.Ordinal);
        Assert.Contains("MERGE http://127.0.0.1:10002/devstoreaccount1/orders(PartitionKey='p',RowKey='c') HTTP/1.1", body, StringComparison.Ordinal);
        Assert.Contains("DELETE http://127.0.0.1:10002/devstoreaccount1/orders(PartitionKey='p',RowKey='it%27%27s') HTTP/1.1", body, StringComparison.Ordinal);

        // Upserts carry no If-Match; update, merge and delete do.
        Assert.Equal(3, Count(body, "If-Match: "));
        Assert.Equal(6, Count(body, "--changeset_C\r\nContent-Type: application/http"));

        // Every line ends in CRLF.
        Assert.DoesNotContain("\n", body.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_a_successful_response_with_etags_per_action()
    {
        var body =
            "--batchresponse_X\r\nContent-Type: multipart/mixed; boundary=changesetresponse_Y\r\n\r\n"
            + "--changesetresponse_Y\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nContent-ID: 1\r\nX-Content-Type-Options: nosniff\r\nDataServiceVersion: 1.0;\r\n"
            + "ETag: W/\"datetime'2025-07-01T10%3A00%3A00.1234567Z'\"\r\n\r\n\r\n"
            + "--changesetresponse_Y\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nContent-ID: 2\r\nETag: W/\"datetime'2025-07-01T10%3A00%3A00.2Z'\"\r\n\r\n\r\n"
            + "--changesetresponse_Y--\r\n--batchresponse_X--\r\n";

        var parts = TableBatch.ParseResponse("multipart/mixed; boundary=batchresponse_X", body);

        Assert.Equal(2, parts.Count);
        Assert.All(parts, p => Assert.Equal(HttpStatusCode.NoContent, p.StatusCode));
        Assert.Equal("W/\"datetime'2025-07-01T10%3A00%3A00.1234567Z'\"", parts[0].Header("ETag"));
        Assert.Equal("W/\"datetime'2025-07-01T10%3A00%3A00.2Z'\"", parts[1].Header("etag"));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void Parses_a_failure_and_finds_the_failed_index_in_the_message(string eol)
    {
        var body = string.Join(eol,
            "--batchresponse_X",
            "Content-Type: multipart/mixed; boundary=changesetresponse_Y",
            string.Empty,
            "--changesetresponse_Y",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            string.Empty,
            "HTTP/1.1 412 Precondition Failed",
            "X-Content-Type-Options: nosniff",
            "DataServiceVersion: 3.0;",
            "Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
            string.Empty,
            "{\"odata.error\":{\"code\":\"UpdateConditionNotSatisfied\",\"message\":{\"lang\":\"en-US\",\"value\":\"2:The update condition specified in the request was not satisfied.\\nRequestId:1\\nTime:2025\"}}}",
            "--changesetresponse_Y--",
            "--batchresponse_X--",
            string.Empty);

        var part = Assert.Single(TableBatch.ParseResponse("multipart/mixed; boundary=\"batchresponse_X\"", body));

        Assert.Equal(HttpStatusCode.PreconditionFailed, part.StatusCode);
        Assert.Equal(2, TableBatch.FailedIndex(part, actionCount: 3));
        Assert.Equal("UpdateConditionNotSatisfied", TableBatch.ParseError(part.Body).Code);
    }

    [Fact]
    public void Falls_back_to_the_echoed_content_id_when_the_message_has_no_index()
    {
        var part = new TableBatch.Part(
            HttpStatusCode.Conflict,
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-ID"] = "3" },
            "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"The specified entity already exists.\"}}}");

        Assert.Equal(2, TableBatch.FailedIndex(part, actionCount: 5));
        Assert.Null(TableBatch.FailedIndex(part with { Headers = new Dictionary<string, string>() }, actionCount: 5));
        Assert.Equal(0, TableBatch.FailedIndex(part with { Headers = new Dictionary<string, string>() }, actionCount: 1));
    }

    [Fact]
    public async Task A_failed_transaction_reports_the_action_and_its_status()
    {
        var handler = new ScriptedHandler(request =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Accepted)
            {
                Content = new StringContent(
                    "--batchresponse_Z\r\nContent-Type: multipart/mixed; boundary=changesetresponse_W\r\n\r\n"
                    + "--changesetresponse_W\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                    + "HTTP/1.1 409 Conflict\r\nContent-ID: 2\r\nContent-Type: application/json;odata=minimalmetadata;charset=utf-8\r\n\r\n"
                    + "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"1:The specified entity already exists.\"}}}\r\n"
                    + "--changesetresponse_W--\r\n--batchresponse_Z--\r\n"),
            };
            response.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/mixed; boundary=batchresponse_Z");
            return response;
        });
        var table = ScriptedHandler.Client(handler).GetTableClient("orders");

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            TableTransactionAction.UpdateReplace(new TableEntity("p", "order"), "W/\"x\""),
            TableTransactionAction.Add(new TableEntity("p", "event_1")),
        ]));

        Assert.Equal(1, ex.FailedActionIndex);
        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.Contains("action 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1/$batch", Assert.Single(handler.Requests).Uri.AbsoluteUri);
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
