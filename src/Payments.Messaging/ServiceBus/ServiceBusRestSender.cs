using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Payments.Messaging.ServiceBus;

/// <summary>
/// Sends to Service Bus queues and topics over the REST API: <c>POST {namespace}/{entity}/messages</c>, 201 Created
/// on success. Single sends carry the broker properties in the <c>BrokerProperties</c> header and each application
/// property in a header of its own; batches are a JSON array with content type
/// <c>application/vnd.microsoft.servicebus.json</c>. Authorization is a SAS token or an Entra ID bearer token, made
/// anew for every attempt. Thread-safe; one per process.
/// </summary>
/// <remarks>
/// Failed attempts are retried (408, 429, 5xx, per-attempt timeouts, network errors) with exponential backoff and
/// jitter, honouring Retry-After. Sending again is safe because our entities have duplicate detection on and every
/// message we send carries a stable MessageId (the event or charge id): a request that reached the broker but whose
/// answer was lost is dropped as a duplicate when it comes again within the detection window. Other 4xx answers
/// (bad request, bad credentials, quota or size, no such entity) fail at once.
/// </remarks>
public sealed partial class ServiceBusRestSender : IMessageSender
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client used under DI.</summary>
    public const string HttpClientName = "Payments.Messaging.ServiceBus";

    private readonly Uri _endpoint;
    private readonly IServiceBusTokenProvider _tokens;
    private readonly Func<HttpClient> _httpClient;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger _logger;

    /// <param name="namespaceEndpoint">The namespace's base address, e.g. <c>https://ns.servicebus.windows.net/</c>.</param>
    /// <param name="httpClient">Its Timeout should exceed <see cref="ServiceBusOptions.AttemptTimeout"/>.</param>
    public ServiceBusRestSender(Uri namespaceEndpoint, IServiceBusTokenProvider tokens, HttpClient httpClient, ServiceBusOptions? options = null,
        ILogger<ServiceBusRestSender>? logger = null, TimeProvider? clock = null)
        : this(namespaceEndpoint, tokens, () => httpClient, options, logger, clock)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
    }

    /// <summary>Takes a client named <see cref="HttpClientName"/> from <paramref name="httpClientFactory"/> for every request.</summary>
    public ServiceBusRestSender(Uri namespaceEndpoint, IServiceBusTokenProvider tokens, IHttpClientFactory httpClientFactory, ServiceBusOptions? options = null,
        ILogger<ServiceBusRestSender>? logger = null, TimeProvider? clock = null)
        : this(namespaceEndpoint, tokens, () => httpClientFactory.CreateClient(HttpClientName), options, logger, clock)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
    }

    private ServiceBusRestSender(Uri namespaceEndpoint, IServiceBusTokenProvider tokens, Func<HttpClient> httpClient, ServiceBusOptions? options,
        ILogger? logger, TimeProvider? clock)
    {
        ArgumentNullException.ThrowIfNull(namespaceEndpoint);
        ArgumentNullException.ThrowIfNull(tokens);
        if (!namespaceEndpoint.IsAbsoluteUri || namespaceEndpoint.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException("The namespace endpoint must be an absolute https:// URL.", nameof(namespaceEndpoint));
        }

        _endpoint = new Uri(namespaceEndpoint.GetLeftPart(UriPartial.Authority) + "/");
        _tokens = tokens;
        _httpClient = httpClient;
        _logger = logger ?? NullLogger.Instance;
        _pipeline = BuildPipeline(options ?? new ServiceBusOptions(), clock ?? TimeProvider.System, _logger);
    }

    /// <summary>
    /// Builds a sender from options: SAS from <see cref="ServiceBusOptions.ConnectionString"/>, else Entra ID for
    /// <see cref="ServiceBusOptions.FullyQualifiedNamespace"/> with <paramref name="credential"/> (or DefaultAzureCredential).
    /// </summary>
    public static ServiceBusRestSender Create(ServiceBusOptions options, IHttpClientFactory httpClientFactory, TokenCredential? credential = null,
        ILogger<ServiceBusRestSender>? logger = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (endpoint, tokens) = Authorization(options, credential, clock);
        return new ServiceBusRestSender(endpoint, tokens, httpClientFactory, options, logger, clock);
    }

    internal static (Uri Endpoint, IServiceBusTokenProvider Tokens) Authorization(ServiceBusOptions options, TokenCredential? credential, TimeProvider? clock)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var connection = ServiceBusConnection.Parse(options.ConnectionString);
            return (connection.Endpoint, new SasTokenProvider(connection.SharedAccessKeyName, connection.SharedAccessKey, clock));
        }

        return (options.NamespaceEndpoint(), new EntraTokenProvider(credential ?? new Azure.Identity.DefaultAzureCredential(), clock));
    }

    /// <summary>The namespace base address requests go to.</summary>
    public Uri Endpoint => _endpoint;

    public async Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var resource = EntityUri(entityPath);
        BrokerProperties.ValidateHeaderProperties(message);
        var brokerProperties = BrokerProperties.ToJson(message, batch: false);
        var body = message.Body.ToArray();

        HttpRequestMessage Build(string authorization)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, MessagesUri(resource)) { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            request.Headers.TryAddWithoutValidation(BrokerProperties.HeaderName, brokerProperties);
            foreach (var (name, value) in message.ApplicationProperties)
            {
                request.Headers.TryAddWithoutValidation(name, BrokerProperties.HeaderValue(value));
            }

            if (message.ContentType is { Length: > 0 } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            return request;
        }

        await SendWithRetriesAsync(entityPath, resource, Build, $"message {message.MessageId ?? "(no id)"}", cancellationToken);
    }

    public async Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var resource = EntityUri(entityPath);
        if (messages.Count == 0)
        {
            return;
        }

        var body = BrokerProperties.BatchBody(messages);

        HttpRequestMessage Build(string authorization)
        {
            var content = new ByteArrayContent(body);

            // Exactly this media type, without parameters such as charset.
            content.Headers.ContentType = new MediaTypeHeaderValue(BrokerProperties.BatchContentType);
            var request = new HttpRequestMessage(HttpMethod.Post, MessagesUri(resource)) { Content = content };
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return request;
        }

        await SendWithRetriesAsync(entityPath, resource, Build, $"batch of {messages.Count}", cancellationToken);
    }

    private async Task SendWithRetriesAsync(string entityPath, Uri resource, Func<string, HttpRequestMessage> build, string what, CancellationToken cancellationToken)
    {
        var attempts = 0;
        HttpResponseMessage response;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            response = await _pipeline.ExecuteAsync(
                async ctx =>
                {
                    Interlocked.Increment(ref attempts);
                    var authorization = await _tokens.GetAuthorizationAsync(resource, ctx.CancellationToken);
                    using var request = build(authorization);
                    return await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken);
                },
                context);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            var reason = ex is HttpRequestException ? "a network error" : "a timeout";
            throw new MessageSendException(
                $"Sending {what} to '{entityPath}' failed after {attempts} attempt(s) with {reason} ({ex.GetType().Name}).",
                entityPath, statusCode: null, isTransient: true, attempts, ex);
        }
        catch (Exception ex) when (ex is Azure.Identity.AuthenticationFailedException or Azure.RequestFailedException)
        {
            throw new MessageSendException(
                $"Sending {what} to '{entityPath}' failed: no Entra ID token for {EntraTokenProvider.Scope} ({ex.GetType().Name}).",
                entityPath, statusCode: null, isTransient: false, attempts, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            // The documented answer is 201 Created; any 2xx means the broker took the message.
            if (response.IsSuccessStatusCode)
            {
                _logger.LogDebug("Sent {What} to {Entity} ({Attempts} attempt(s))", what, entityPath, attempts);
                return;
            }

            var detail = await ReadDetailAsync(response, cancellationToken);
            var status = response.StatusCode;
            throw new MessageSendException(
                $"Sending {what} to '{entityPath}' failed after {attempts} attempt(s): HTTP {(int)status} {Meaning(status)}{detail}",
                entityPath, status, IsTransientStatus(status), attempts);
        }
    }

    private Uri EntityUri(string entityPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityPath);
        var segments = entityPath.Split('/');
        if (segments.Any(s => s.Length == 0 || s is "." or ".." || s.Any(c => char.IsControl(c) || c is '?' or '#' or '\\')))
        {
            throw new ArgumentException($"'{entityPath}' is not a valid queue or topic name.", nameof(entityPath));
        }

        return new Uri(_endpoint, string.Join('/', segments.Select(Uri.EscapeDataString)));
    }

    private static Uri MessagesUri(Uri resource) => new(resource.AbsoluteUri + "/messages");

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(ServiceBusOptions options, TimeProvider clock, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // Safe to repeat: duplicate detection on our entities drops a resend with the same MessageId.
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Exception: OperationCanceledException } when !args.Context.CancellationToken.IsCancellationRequested => true,
                    { Result: { } response } => IsTransientStatus(response.StatusCode),
                    _ => false,
                }),
                DelayGenerator = args =>
                {
                    var retryAfter = args.Outcome.Result?.Headers.RetryAfter;
                    TimeSpan? wanted = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - clock.GetUtcNow() : null);
                    return ValueTask.FromResult(wanted is { } d && d > TimeSpan.Zero ? (TimeSpan?)(d < options.RetryMaxDelay ? d : options.RetryMaxDelay) : null);
                },
                OnRetry = args =>
                {
                    logger.LogWarning("Service Bus send attempt {Attempt} failed with {Outcome}; retrying in {DelayMs} ms",
                        args.AttemptNumber + 1,
                        args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int)args.Outcome.Result!.StatusCode}",
                        (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    private static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static string Meaning(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "(bad request)",
        HttpStatusCode.Unauthorized => "(authorization failed: check the key or the identity's Data Sender role)",
        HttpStatusCode.Forbidden => "(quota exceeded or message too large)",
        HttpStatusCode.NotFound or HttpStatusCode.Gone => "(no such queue or topic)",
        HttpStatusCode.RequestEntityTooLarge => "(message too large)",
        _ => string.Empty,
    };

    /// <summary>The start of the broker's error text, with anything that looks like a signature or token removed.</summary>
    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
            {
                return string.Empty;
            }

            text = Secrets().Replace(text, "$1=***");
            text = Whitespace().Replace(text, " ").Trim();
            return ": " + (text.Length > 300 ? text[..300] + "…" : text);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or DecoderFallbackException)
        {
            return string.Empty;
        }
    }

    [GeneratedRegex(@"(sig|SharedAccessKey|SharedAccessSignature|Bearer)[=\s][^&\s""'<;]+", RegexOptions.IgnoreCase)]
    private static partial Regex Secrets();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
