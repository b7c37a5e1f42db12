namespace Payments.Host.Tests.Contract;

/// <summary>
/// Sits in the clients the host tests talk to the app with (<see cref="TestApp.Client"/>): every response to an operation
/// of the committed OpenAPI document is checked against it on arrival, and a response that breaks the contract fails the
/// test that received it. What was seen is kept for <see cref="ContractCoverageTests"/>, which runs after every other test.
/// </summary>
public sealed class ContractRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly ConcurrentDictionary<(string OperationId, int Status), int> Seen = new();

    /// <summary>How many responses of each documented operation and status the tests received so far in this run.</summary>
    public static IReadOnlyDictionary<(string OperationId, int Status), int> Responses => Seen;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri is { } uri && ContractDocument.Committed.Find(request.Method.Method, uri.AbsolutePath) is { } hit)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            Verify(request.Method.Method, uri.AbsolutePath, hit, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                await response.Content.ReadAsStringAsync(cancellationToken));
        }

        return response;
    }

    /// <summary>
    /// Checks one response against the committed document (nothing to check when the document does not cover the route) and
    /// counts it; throws <see cref="ContractViolationException"/> when the response breaks the contract.
    /// </summary>
    public static void Verify(string method, string path, int status, string? mediaType, string body)
    {
        if (ContractDocument.Committed.Find(method, path) is { } hit)
        {
            Verify(method, path, hit, status, mediaType, body);
        }
    }

    private static void Verify(string method, string path, (string OperationId, string Path, System.Text.Json.Nodes.JsonObject Operation) hit,
        int status, string? mediaType, string body)
    {
        var errors = ContractDocument.Committed.Check(hit.Operation, (System.Net.HttpStatusCode)status, mediaType, body);
        if (errors.Count > 0)
        {
            var message = new StringBuilder()
                .Append(method).Append(' ').Append(path).Append(" answered ").Append(status)
                .Append(", which breaks openapi/payments-v1.json (").Append(hit.OperationId).AppendLine("):");
            foreach (var error in errors)
            {
                message.Append("  ").AppendLine(error);
            }

            throw new ContractViolationException(message.Append(body.Length > 2000 ? body[..2000] + "…" : body).ToString());
        }

        Seen.AddOrUpdate((hit.OperationId, status), 1, (_, n) => n + 1);
    }
}
