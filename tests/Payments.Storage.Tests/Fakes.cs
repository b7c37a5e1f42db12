using Azure.Core.Pipeline;

namespace Payments.Storage.Tests;

/// <summary>An HTTP handler that records requests and answers from a script (no network).</summary>
internal sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
{
    private int _calls;

    public List<(HttpMethod Method, Uri Uri, string? Authorization, string? Date)> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(),
                request.Headers.TryGetValues("x-ms-date", out var d) ? d.First() : null));
        }

        var index = Interlocked.Increment(ref _calls) - 1;
        if (answers.Length == 0)
        {
            throw new InvalidOperationException($"Unexpected request {request.Method} {request.RequestUri}.");
        }

        var response = answers[Math.Min(index, answers.Length - 1)](request);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string? json = null)
    {
        var response = new HttpResponseMessage(status);
        if (json is not null)
        {
            response.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return response;
    }

    /// <summary>The SDK's client, built as the app builds it, sending through <paramref name="handler"/>.</summary>
    public static TableServiceClient Client(ScriptedHandler handler, int retries = 3, StorageHealth? health = null) =>
        Client((HttpMessageHandler)handler, retries, health);

    public static TableServiceClient Client(HttpMessageHandler handler, int retries = 3, StorageHealth? health = null,
        TableStorageOptions? options = null, Azure.Core.TokenCredential? credential = null) =>
        TableStorageClients.Create(
            options ?? new TableStorageOptions
            {
                ConnectionString = "UseDevelopmentStorage=true",
                MaxRetryAttempts = retries,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(5),
                AttemptTimeout = TimeSpan.FromSeconds(5),
            },
            credential,
            health,
            new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) });
}
