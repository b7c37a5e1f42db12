namespace Payments.Host.Tests.Contract;

/// <summary>The contract check itself: it finds the operation a request hits and catches a response that breaks the document.</summary>
public sealed class ContractDocumentTests
{
    private static readonly ContractDocument Contract = ContractDocument.Committed;

    private static JsonObject Operation(string method, string path) => Contract.Find(method, path)?.Operation
        ?? throw new InvalidOperationException($"{method} {path} is not in the document");

    private const string Order = """
        {"orderId":"ord_0","status":"pending","provider":"next","merchantReference":"r","providerData":{},"amount":"1.00",
         "currency":"CHF","items":[],"successUrl":"https://s","failureUrl":"https://f","metadata":{},
         "createdAt":"2026-01-05T09:30:00+00:00","updatedAt":"2026-01-05T09:30:00+00:00","history":[],"refundedAmount":"0.00",
         "refunds":[],"charges":[]}
        """;

    [Fact]
    public void Operations_are_found_by_their_templates_and_the_sandbox_and_triggers_are_not_in_the_document()
    {
        Assert.Equal("GetOrder", Contract.Find("GET", "/api/orders/ord_abc")?.OperationId);
        Assert.Equal("CreateOrder", Contract.Find("POST", "/api/orders")?.OperationId);
        Assert.Null(Contract.Find("DELETE", "/api/orders/ord_abc"));
        Assert.Null(Contract.Find("GET", "/sandbox/next/checkout/1"));
        Assert.Null(Contract.Find("POST", "/PaymentEvents"));
    }

    [Fact]
    public void A_documented_order_view_passes()
    {
        Assert.Empty(Contract.Check(Operation("GET", "/api/orders/x"), HttpStatusCode.OK, "application/json", Order));
    }

    [Theory]
    [InlineData("\"status\":\"pending\"", "\"status\":\"paid-ish\"", "is not one of")]
    [InlineData("\"amount\":\"1.00\"", "\"amount\":1.00", "is not of type")]
    [InlineData("\"orderId\":\"ord_0\",", "", "required property 'orderId' is missing")]
    [InlineData("\"items\":[]", "\"items\":[],\"secret\":\"x\"", "property 'secret' is not in the contract")]
    [InlineData("\"createdAt\":\"2026-01-05T09:30:00+00:00\"", "\"createdAt\":\"yesterday\"", "is not a date-time")]
    [InlineData("\"items\":[]", "\"items\":[{\"name\":1}]", "/items/0")]
    public void A_response_that_breaks_the_schema_is_caught(string from, string to, string expected)
    {
        var errors = Contract.Check(Operation("GET", "/api/orders/x"), HttpStatusCode.OK, "application/json", Order.Replace(from, to, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_undocumented_status_media_type_or_problem_type_is_caught()
    {
        var get = Operation("GET", "/api/orders/x");
        Assert.Contains("status 418 is not documented", Contract.Check(get, (HttpStatusCode)418, "application/json", "{}"));
        Assert.Contains(Contract.Check(get, HttpStatusCode.OK, "text/plain", "hi"), e => e.Contains("answered text/plain", StringComparison.Ordinal));
        Assert.Contains(
            Contract.Check(get, HttpStatusCode.NotFound, "application/problem+json", """{"type":"urn:payments:problem:order-busy","title":"t","status":404}"""),
            e => e.Contains("is not listed for status 404", StringComparison.Ordinal));
        Assert.Empty(Contract.Check(get, HttpStatusCode.NotFound, "application/problem+json", """{"type":"urn:payments:problem:not-found","title":"t","status":404}"""));
    }

    [Fact]
    public async Task The_recorder_fails_the_request_that_received_a_response_outside_the_contract()
    {
        var body = Order.Replace("\"items\":[]", "\"items\":[],\"cardNumber\":\"4111\"", StringComparison.Ordinal);
        using var client = new HttpClient(new ContractRecorder(new Answer(HttpStatusCode.OK, body))) { BaseAddress = new Uri("http://127.0.0.1:9/") };

        var error = await Assert.ThrowsAsync<ContractViolationException>(() => client.GetAsync("/api/orders/ord_x"));
        Assert.Contains("property 'cardNumber' is not in the contract", error.Message, StringComparison.Ordinal);
        Assert.Contains("GetOrder", error.Message, StringComparison.Ordinal);
    }

    private sealed class Answer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
    }
}
