using System.Net;
using System.Net.Http.Headers;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Payments.Storage.Tables;

/// <summary>
/// A small client for the Table service REST API: SharedKeyLite (connection string) or Entra ID bearer
/// tokens (table service URI + <see cref="TokenCredential"/>), JSON payloads, and a Polly retry pipeline.
/// Thread-safe; register one per process.
/// </summary>
/// <remarks>
/// Retries: every operation of this client is safe to send again, with two consequences callers must
/// expect. An insert whose first attempt reached the service but whose response was lost comes back as
/// <b>409</b> (its own entity is there), and an ETag-guarded update or transaction whose first attempt
/// committed comes back as <b>412</b> (the ETag moved because of that very write). Both are "re-read and
/// decide" for the caller, never "someone else won" by themselves.
/// </remarks>
public sealed class TableServiceClient
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client this class uses under DI.</summary>
    public const string HttpClientName = "Payments.Storage.Tables";

    private static readonly HashSet<HttpStatusCode> TransientStatuses =
    [
        HttpStatusCode.RequestTimeout,
        HttpStatusCode.TooManyRequests,
        HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway,
        HttpStatusCode.ServiceUnavailable,
        HttpStatusCode.GatewayTimeout,
    ];

    private readonly Func<HttpClient> _httpClient;
    private readonly ITableAuthorizer _authorizer;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private long _lastUnavailableTicks;

    /// <summary>Uses one <see cref="HttpClient"/> (tests, tools). Its Timeout should exceed <see cref="TableStorageOptions.AttemptTimeout"/>.</summary>
    public TableServiceClient(TableStorageOptions options, HttpClient httpClient, TokenCredential? credential = null, ILogger<TableServiceClient>? logger = null)
        : this(options, () => httpClient, credential, logger, TimeProvider.System)
    {
    }

    /// <summary>Takes a client from <paramref name="httpClientFactory"/> (named <see cref="HttpClientName"/>) for every request.</summary>
    public TableServiceClient(TableStorageOptions options, IHttpClientFactory httpClientFactory, TokenCredential? credential = null, ILogger<TableServiceClient>? logger = null)
        : this(options, () => httpClientFactory.CreateClient(HttpClientName), credential, logger, TimeProvider.System)
    {
    }

    internal TableServiceClient(TableStorageOptions options, Func<HttpClient> httpClient, TokenCredential? credential, ILogger? logger, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new TableStorageOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _httpClient = httpClient;
        _clock = clock;
        _logger = logger ?? NullLogger.Instance;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var cs = StorageConnectionString.Parse(options.ConnectionString);
            Endpoint = cs.TableEndpoint;
            AccountName = cs.AccountName;
            _authorizer = new SharedKeyLiteAuthorizer(cs.AccountName, cs.AccountKey, clock);
        }
        else
        {
            Endpoint = new Uri(options.TableServiceUri!.AbsoluteUri.TrimEnd('/'));
            AccountName = Endpoint.Host.Split('.')[0];
            _authorizer = new BearerTokenAuthorizer(credential ?? new Azure.Identity.DefaultAzureCredential(), clock);
        }

        _pipeline = BuildPipeline(options, _logger, MarkUnavailable);
    }

    /// <summary>The table service endpoint (path-style for Azurite: <c>http://127.0.0.1:10002/devstoreaccount1</c>).</summary>
    public Uri Endpoint { get; }

    public string AccountName { get; }

    internal string EndpointText => Endpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>
    /// True when an attempt of this client failed as an outage does (no connection, a timeout, 408/429/5xx; see
    /// <see cref="TableStorageException.IsUnavailable"/>) within the last <paramref name="window"/>: a hint for a
    /// caller that must answer before a slow request has finished (its retries may be waiting out an outage).
    /// </summary>
    public bool WasUnavailableWithin(TimeSpan window)
    {
        var last = Interlocked.Read(ref _lastUnavailableTicks);
        return last != 0 && _clock.GetUtcNow().UtcTicks - last <= window.Ticks;
    }

    private void MarkUnavailable() => Interlocked.Exchange(ref _lastUnavailableTicks, _clock.GetUtcNow().UtcTicks);

    public TableClient GetTableClient(string tableName)
    {
        TableNames.ValidateTableName(tableName);
        return new TableClient(this, tableName);
    }

    /// <summary>Creates the table; true when this call created it, false when it existed (409 TableAlreadyExists).</summary>
    public async Task<bool> CreateTableIfNotExistsAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableNames.ValidateTableName(tableName);
        var body = System.Text.Encoding.UTF8.GetBytes($"{{\"TableName\":\"{tableName}\"}}");
        var response = await SendAsync(
            new TableRequest(HttpMethod.Post, "Tables") { Body = body, Prefer = TableHeaders.ReturnNoContent },
            $"create table '{tableName}'",
            cancellationToken);
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.Conflict && response.ErrorCode() is "TableAlreadyExists" or null)
        {
            return false;
        }

        throw response.ToException($"create table '{tableName}'");
    }

    /// <summary>Deletes the table; false when there was none.</summary>
    public async Task<bool> DeleteTableAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableNames.ValidateTableName(tableName);
        var response = await SendAsync(
            new TableRequest(HttpMethod.Delete, $"Tables('{tableName}')"), $"delete table '{tableName}'", cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NoContent or HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw response.ToException($"delete table '{tableName}'"),
        };
    }

    /// <summary>
    /// Sends a request through the retry pipeline. A new <see cref="HttpRequestMessage"/> is built and signed
    /// for every attempt (fresh x-ms-date). Returns any final status; transport failures and timeouts that
    /// outlast the retries become <see cref="TableStorageException"/>.
    /// </summary>
    internal async Task<TableResponse> SendAsync(TableRequest request, string operation, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async ct =>
                {
                    using var message = request.ToMessage(EndpointText);
                    await _authorizer.AuthorizeAsync(message, ct);
                    return await _httpClient().SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
                },
                cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            MarkUnavailable();
            throw new TableStorageException($"Table Storage {operation} timed out after all retries.", HttpStatusCode.RequestTimeout, null, ex);
        }
        catch (HttpRequestException ex)
        {
            MarkUnavailable();
            throw new TableStorageException(
                $"Table Storage {operation} failed: {ex.HttpRequestError} ({ex.Message}).", ex.StatusCode ?? 0, null, ex);
        }

        if (TransientStatuses.Contains(response.StatusCode))
        {
            MarkUnavailable();
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new TableResponse(response.StatusCode, response.Headers, response.Content.Headers.ContentType?.ToString(), body);
        }
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(TableStorageOptions options, ILogger logger, Action markUnavailable)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => TransientStatuses.Contains(r.StatusCode)),
                DelayGenerator = args =>
                {
                    // Honour Retry-After (429/503) when the service sends one, within the maximum delay.
                    var retryAfter = args.Outcome.Result?.Headers.RetryAfter;
                    TimeSpan? delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
                    return ValueTask.FromResult(delay is { } d && d > TimeSpan.Zero ? (TimeSpan?)(d < options.RetryMaxDelay ? d : options.RetryMaxDelay) : null);
                },
                OnRetry = args =>
                {
                    markUnavailable();
                    logger.LogWarning(
                        "Table Storage request failed ({Reason}); retry {Attempt} in {Delay} ms",
                        args.Outcome.Exception?.GetType().Name ?? ((int)args.Outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        args.AttemptNumber + 1,
                        (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Inside the retry: each attempt gets its own timeout.
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }
}

/// <summary>What to send; turned into a fresh <see cref="HttpRequestMessage"/> for every attempt.</summary>
internal sealed record TableRequest(HttpMethod Method, string PathAndQuery)
{
    public byte[]? Body { get; init; }

    public string BodyContentType { get; init; } = "application/json";

    public string Accept { get; init; } = TableHeaders.JsonMinimalMetadata;

    public string? IfMatch { get; init; }

    public string? Prefer { get; init; }

    public HttpRequestMessage ToMessage(string endpoint)
    {
        var message = new HttpRequestMessage(Method, new Uri(endpoint + "/" + PathAndQuery));
        message.Headers.TryAddWithoutValidation(TableHeaders.Version, TableHeaders.ApiVersion);
        message.Headers.TryAddWithoutValidation(TableHeaders.DataServiceVersion, "3.0");
        message.Headers.TryAddWithoutValidation(TableHeaders.MaxDataServiceVersion, "3.0;NetFx");
        message.Headers.TryAddWithoutValidation("Accept", Accept);
        if (IfMatch is not null)
        {
            // Without validation: the ETag must go back byte for byte (quotes, W/ prefix, %-escapes).
            message.Headers.TryAddWithoutValidation(TableHeaders.IfMatch, IfMatch);
        }

        if (Prefer is not null)
        {
            message.Headers.TryAddWithoutValidation(TableHeaders.Prefer, Prefer);
        }

        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(BodyContentType);
        }

        return message;
    }
}

/// <summary>A buffered response.</summary>
internal sealed record TableResponse(HttpStatusCode StatusCode, HttpResponseHeaders Headers, string? ContentType, byte[] Body)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>The ETag header exactly as sent.</summary>
    public string? ETag => Header(TableHeaders.ETag);

    public string BodyText => EdmValues.Utf8(Body);

    public string? ErrorCode() => Header(TableHeaders.ErrorCode) ?? TableBatch.ParseError(BodyText).Code;

    public TableStorageException ToException(string operation)
    {
        var (code, message) = TableBatch.ParseError(BodyText);
        code ??= Header(TableHeaders.ErrorCode);
        return new TableStorageException(Describe(operation, StatusCode, code, message), StatusCode, code);
    }

    internal static string Describe(string operation, HttpStatusCode status, string? code, string? message)
    {
        var text = $"Table Storage {operation} failed: {(int)status} {status}";
        if (code is not null)
        {
            text += $" ({code})";
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            // The service's message is about the request, never about the key; keep only its first line.
            var first = message.Split('\n')[0].Trim();
            text += ": " + (first.Length > 300 ? first[..300] + "…" : first);
        }

        return text;
    }
}
