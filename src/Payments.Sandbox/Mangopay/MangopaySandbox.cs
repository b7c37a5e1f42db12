using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static Payments.Sandbox.SandboxHttp;

namespace Payments.Sandbox.Mangopay;

/// <summary>
/// Mangopay's API v2.01 as far as TWINT pay-ins go (docs.mangopay.com: overview/authentication, idempotency,
/// twint/create-twint-payin, view-payin-twint, refunds/create-refund-payin, api-responses/view-api-response,
/// errors/error-report, webhooks), mounted under a prefix so that <c>Providers:Mangopay:BaseUrl = {host}/sandbox/mangopay</c>
/// points the real client here:
/// <list type="bullet">
/// <item><c>POST {prefix}/v2.01/oauth/token</c> (Basic ClientId:ApiKey, form <c>grant_type=client_credentials</c>)
/// → <c>{access_token, token_type, expires_in}</c></item>
/// <item><c>POST {prefix}/v2.01/{ClientId}/payins/payment-methods/twint</c> → 200 the pay-in, CREATED, with
/// <c>RedirectURL</c></item>
/// <item><c>GET {prefix}/v2.01/{ClientId}/payins/{PayInId}</c>, <c>POST …/payins/{PayInId}/refunds</c>,
/// <c>GET …/refunds/{RefundId}</c>, <c>GET …/responses/{IdempotencyKey}</c></item>
/// <item><c>GET|POST {prefix}/twint/{session}</c>: the hosted TWINT page (Pay, Decline, Leave pending), which sends the
/// browser back with a plain redirect to <c>ReturnURL?transactionId={PayInId}</c></item>
/// <item>sandbox only: <c>POST {prefix}/_sandbox/payins/{PayInId}/status</c> <c>{"Status":"SUCCEEDED"}</c> settles a
/// pay-in without the shopper and fires its hook (answering with the hook's HTTP status);
/// <c>POST {prefix}/_sandbox/oauth/revoke</c> revokes every token</item>
/// </list>
/// Every API call needs a live Bearer token from the token endpoint, issued for the ClientId in the path. POSTs honour
/// <c>Idempotency-Key</c> (see <see cref="MangopaySandboxOptions.IdempotencyReplay"/>). Errors are Mangopay's
/// <c>{Message, Type, Id, Date, errors}</c> (lower-case <c>errors</c>, as Mangopay's own example bodies have it).
/// Hooks (<c>GET {HookUrl}?EventType=…&amp;RessourceId=…&amp;Date=…</c>) go to <see cref="MangopaySandboxOptions.HookUrl"/>,
/// by default the host's own <c>/api/webhooks/mangopay</c>.
/// </summary>
public static partial class MangopaySandbox
{
    /// <summary>The result the sandbox gives a pay-in whose TWINT session ran out (its choice; Mangopay documents no list for TWINT).</summary>
    public const string AbandonedCode = "101001";
    public const string AbandonedMessage = "The user has not completed the transaction";

    public const string DeclinedCode = "101002";
    public const string DeclinedMessage = "The transaction has been cancelled by the user";

    public const string SuccessCode = "000000";
    public const string SuccessMessage = "Success";

    public const string HookClientName = "mangopay-sandbox-hooks";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaxBodyBytes = 64 * 1024;
    private static readonly string[] Decisions = ["pay", "decline", "pending"];
    private const string ParamErrorMessage = "One or several required parameters are missing or incorrect. An incorrect resource ID also raises this kind of error.";

    /// <summary>The simulator's services: its state, its settings (<c>Sandbox:Mangopay</c>) and the client that sends hooks.</summary>
    public static IServiceCollection AddMangopaySandbox(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<MangopaySandboxOptions>().BindConfiguration(MangopaySandboxOptions.SectionName);
        services.TryAddSingleton<MangopaySandboxState>();
        services.TryAddSingleton<MangopaySandboxHooks>();
        services.AddHttpClient(HookClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }

    public static IEndpointRouteBuilder MapMangopaySandbox(this IEndpointRouteBuilder app, string prefix)
    {
        var group = app.MapGroup(prefix).ExcludeFromDescription();
        group.MapPost("/v2.01/oauth/token", TokenAsync);
        group.MapPost("/v2.01/{clientId}/payins/payment-methods/twint",
            (HttpContext http, string clientId, [FromServices] MangopaySandboxState state, CancellationToken ct) =>
                CreateTwintPayInAsync(http, prefix, clientId, state, ct));
        group.MapGet("/v2.01/{clientId}/payins/{payInId}", GetPayIn);
        group.MapPost("/v2.01/{clientId}/payins/{payInId}/refunds", RefundAsync);
        group.MapGet("/v2.01/{clientId}/refunds/{refundId}", GetRefund);
        group.MapGet("/v2.01/{clientId}/responses/{key}", GetResponse);
        group.MapGet("/twint/{session}", HostedPage);
        group.MapPost("/twint/{session}", DecideAsync);
        group.MapPost("/_sandbox/payins/{payInId}/status", SetStatusAsync);
        group.MapPost("/_sandbox/oauth/revoke", ([FromServices] MangopaySandboxState state) =>
            Json(new JsonObject { ["Revoked"] = state.RevokeTokens() }, StatusCodes.Status200OK));
        return app;
    }

    private static async Task<IResult> TokenAsync(HttpContext http, [FromServices] MangopaySandboxState state, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var settings = state.Options;
        if (!TryBasic(request.Headers.Authorization.ToString(), out var user, out var password)
            || user != settings.ClientId
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(settings.ApiKey)))
        {
            return Error(state, StatusCodes.Status401Unauthorized, "not_authorized", "Authentication failed: the ClientId or the API key is wrong.", null);
        }

        if (!request.HasFormContentType || request.ContentLength > MaxBodyBytes)
        {
            return Error(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage,
                new JsonObject { ["grant_type"] = "Send grant_type=client_credentials as application/x-www-form-urlencoded." });
        }

        var form = await request.ReadFormAsync(cancellationToken);
        if (form["grant_type"].ToString() != "client_credentials")
        {
            return Error(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage,
                new JsonObject { ["grant_type"] = "The only grant type is client_credentials." });
        }

        var (token, expiresIn) = state.IssueToken(user);
        return Json(new JsonObject { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = expiresIn }, StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateTwintPayInAsync(HttpContext http, string prefix, string clientId, MangopaySandboxState state, CancellationToken cancellationToken)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        var (raw, tooLarge) = await ReadBodyAsync(http.Request, state, cancellationToken);
        if (raw is null)
        {
            return tooLarge!;
        }

        var redirectBase = $"{Origin(http.Request)}{prefix}/twint";
        return Idempotent(http, clientId, raw, state, () => CreateTwintPayIn(raw, clientId, redirectBase, state));
    }

    private static (int Status, string Json) CreateTwintPayIn(byte[] raw, string clientId, string redirectBase, MangopaySandboxState state)
    {
        if (ParseObject(raw) is not { } body)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, new JsonObject { ["Body"] = "The request body must be a JSON object." });
        }

        var errors = new JsonObject();
        var authorId = RequiredId(body, "AuthorId", errors);
        var walletId = RequiredId(body, "CreditedWalletId", errors);
        var debited = Funds(body, "DebitedFunds", errors, required: true);
        var fees = Funds(body, "Fees", errors, required: true);
        var returnUrl = Text(body, "ReturnURL", errors, maxLength: 255, required: true);
        if (returnUrl is not null && (!Uri.TryCreate(returnUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)))
        {
            errors["ReturnURL"] = "The ReturnURL must be an absolute http(s) URL.";
        }

        var tag = Text(body, "Tag", errors, maxLength: 255, required: false);
        var descriptor = Text(body, "StatementDescriptor", errors, maxLength: 10, required: false);
        if (descriptor is not null && !Descriptor().IsMatch(descriptor))
        {
            errors["StatementDescriptor"] = "The StatementDescriptor can only contain alphanumeric characters and spaces, 10 at most.";
        }

        if (debited is { } d)
        {
            if (d.Currency != "CHF")
            {
                errors["DebitedFunds.Currency"] = "TWINT pay-ins are available in CHF only.";
            }

            if (d.Amount < 1)
            {
                errors["DebitedFunds.Amount"] = "The minimum amount of a TWINT pay-in is 1 (0.01 CHF).";
            }
        }

        if (debited is { } dd && fees is { } f)
        {
            if (f.Currency != dd.Currency)
            {
                errors["Fees.Currency"] = "The Fees currency must be the DebitedFunds currency.";
            }

            if (f.Amount < 0 || f.Amount > dd.Amount)
            {
                errors["Fees.Amount"] = "The Fees amount must be between 0 and the DebitedFunds amount.";
            }
        }

        if (errors.Count > 0)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, errors);
        }

        var now = state.Now();
        var payIn = new JsonObject
        {
            ["Id"] = null,
            ["Tag"] = tag,
            ["CreationDate"] = now,
            ["AuthorId"] = authorId,
            ["CreditedUserId"] = authorId,
            ["DebitedFunds"] = Money(debited!.Value.Currency, debited.Value.Amount),
            ["CreditedFunds"] = Money(debited.Value.Currency, debited.Value.Amount - fees!.Value.Amount),
            ["Fees"] = Money(fees.Value.Currency, fees.Value.Amount),
            ["Status"] = "CREATED",
            ["ResultCode"] = null,
            ["ResultMessage"] = null,
            ["ExecutionDate"] = null,
            ["Type"] = "PAYIN",
            ["Nature"] = "REGULAR",
            ["CreditedWalletId"] = walletId,
            ["PaymentType"] = "TWINT",
            ["ExecutionType"] = "WEB",
            ["ReturnURL"] = null,
            ["RedirectURL"] = null,
            ["StatementDescriptor"] = descriptor,
        };
        var created = state.AddPayIn(clientId, payIn, returnUrl!, redirectBase);
        return (StatusCodes.Status200OK, created.ToJson());
    }

    private static IResult GetPayIn(HttpContext http, string clientId, string payInId, [FromServices] MangopaySandboxState state)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        return state.FindPayIn(clientId, payInId) is { } payIn
            ? Text(payIn.ToJson(), StatusCodes.Status200OK)
            : NotFound(state, "PayIn", payInId);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, string clientId, string payInId, [FromServices] MangopaySandboxState state, CancellationToken cancellationToken)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        var (raw, tooLarge) = await ReadBodyAsync(http.Request, state, cancellationToken);
        if (raw is null)
        {
            return tooLarge!;
        }

        return Idempotent(http, clientId, raw, state, () => Refund(raw, clientId, payInId, state));
    }

    private static (int Status, string Json) Refund(byte[] raw, string clientId, string payInId, MangopaySandboxState state)
    {
        if (state.FindPayIn(clientId, payInId) is not { } payIn)
        {
            return NotFoundBody(state, "PayIn", payInId);
        }

        if (ParseObject(raw) is not { } body)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, new JsonObject { ["Body"] = "The request body must be a JSON object." });
        }

        var snapshot = payIn.Snapshot();
        var errors = new JsonObject();
        var authorId = RequiredId(body, "AuthorId", errors);
        if (authorId is not null && authorId != snapshot["AuthorId"]!.GetValue<string>())
        {
            errors["AuthorId"] = "The AuthorId must be the author of the initial transaction.";
        }

        var debited = Funds(body, "DebitedFunds", errors, required: false);
        var fees = Funds(body, "Fees", errors, required: false);
        if ((debited is null) != (fees is null) && !errors.ContainsKey("DebitedFunds") && !errors.ContainsKey("Fees"))
        {
            errors[debited is null ? "DebitedFunds" : "Fees"] = "DebitedFunds and Fees must be sent together (or neither, for a full refund).";
        }

        var currency = snapshot["DebitedFunds"]!["Currency"]!.GetValue<string>();
        if (debited is { } d && d.Currency != currency)
        {
            errors["DebitedFunds.Currency"] = "The currency must be the pay-in's.";
        }

        if (fees is { } f && f.Currency != currency)
        {
            errors["Fees.Currency"] = "The currency must be the pay-in's.";
        }

        var tag = Text(body, "Tag", errors, maxLength: 255, required: false);
        if (errors.Count > 0)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, errors);
        }

        var (amount, refusal) = payIn.TryRefund(debited?.Amount);
        if (refusal is not null)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, new JsonObject { ["DebitedFunds.Amount"] = refusal });
        }

        var now = state.Now();
        var feeAmount = fees?.Amount ?? 0;
        var refund = new JsonObject
        {
            ["Id"] = $"rf_{Guid.NewGuid():D}",
            ["Tag"] = tag,
            ["CreationDate"] = now,
            ["AuthorId"] = authorId,
            ["CreditedUserId"] = authorId,
            ["DebitedFunds"] = Money(currency, amount),
            ["CreditedFunds"] = Money(currency, amount - feeAmount),
            ["Fees"] = Money(currency, feeAmount),
            ["Status"] = "SUCCEEDED",
            ["ResultCode"] = SuccessCode,
            ["ResultMessage"] = SuccessMessage,
            ["ExecutionDate"] = now,
            ["Type"] = "PAYOUT",
            ["Nature"] = "REFUND",
            ["InitialTransactionId"] = payIn.Id,
            ["InitialTransactionType"] = "PAYIN",
            ["InitialTransactionNature"] = "REGULAR",
            ["DebitedWalletId"] = snapshot["CreditedWalletId"]?.DeepClone(),
            ["CreditedWalletId"] = null,
            ["RefundReason"] = new JsonObject { ["RefundReasonMessage"] = null, ["RefundReasonType"] = "INITIALIZED_BY_CLIENT" },
            ["StatementDescriptor"] = snapshot["StatementDescriptor"]?.DeepClone(),
        };
        state.AddRefund(payIn, refund);
        return (StatusCodes.Status200OK, refund.ToJsonString());
    }

    private static IResult GetRefund(HttpContext http, string clientId, string refundId, [FromServices] MangopaySandboxState state)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        return state.FindRefund(clientId, refundId) is { } refund ? Json(refund, StatusCodes.Status200OK) : NotFound(state, "Refund", refundId);
    }

    /// <summary><c>GET /responses/{key}</c>: the first answer given to an idempotency key, within 24 h.</summary>
    private static IResult GetResponse(HttpContext http, string clientId, string key, [FromServices] MangopaySandboxState state)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        if (state.FindKey(clientId, key)?.Answer is not { } answer)
        {
            return NotFound(state, "Response", key);
        }

        JsonNode? resource;
        try
        {
            resource = JsonNode.Parse(answer.Json);
        }
        catch (JsonException)
        {
            resource = answer.Json;
        }

        return Json(new JsonObject
        {
            ["StatusCode"] = answer.Status.ToString(CultureInfo.InvariantCulture),
            ["ContentLength"] = Encoding.UTF8.GetByteCount(answer.Json).ToString(CultureInfo.InvariantCulture),
            ["ContentType"] = "application/json; charset=utf-8",
            ["Date"] = answer.Date,
            ["RequestURL"] = answer.RequestUrl,
            ["Resource"] = resource,
        }, StatusCodes.Status200OK);
    }

    private static IResult HostedPage(string session, [FromServices] MangopaySandboxState state) =>
        state.FindSession(session) is { } payIn
            ? Html(MangopaySandboxPages.PaymentPage(payIn.Snapshot(), payIn.SessionExpiresAt), StatusCodes.Status200OK)
            : Html(MangopaySandboxPages.Gone(), StatusCodes.Status404NotFound);

    /// <summary>
    /// The shopper's choice on the TWINT page. As at Mangopay, the browser then goes back to <c>ReturnURL</c> with
    /// <c>?transactionId={PayInId}</c> appended, by a plain redirect (GET), whatever the outcome. Pay and Decline settle
    /// the pay-in (and fire its hook); Leave pending keeps it CREATED and the page open until it times out.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string session, [FromServices] MangopaySandboxState state,
        [FromServices] MangopaySandboxHooks hooks, CancellationToken cancellationToken)
    {
        var (decision, _, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, MangopaySandboxPages.Gone(), cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (state.FindSession(session) is not { } payIn)
        {
            return Html(MangopaySandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        var (status, code, message) = decision switch
        {
            "pay" => ("SUCCEEDED", SuccessCode, SuccessMessage),
            "decline" => ("FAILED", DeclinedCode, DeclinedMessage),
            _ => ((string?)null, (string?)null, (string?)null),
        };
        if (status is not null)
        {
            if (!payIn.SetStatus(status, code, message, state.Now()))
            {
                return Html(MangopaySandboxPages.Gone(), StatusCodes.Status404NotFound);
            }

            if (state.Options.HookOnDecision)
            {
                hooks.SendInBackground(Origin(http.Request), HookEvent(status), payIn.Id);
            }
        }

        return Results.Redirect(payIn.ReturnUrl, permanent: false);
    }

    /// <summary>
    /// Sandbox control: <c>{"Status":"SUCCEEDED"|"FAILED"|"CREATED", "ResultCode"?, "ResultMessage"?, "Hook"?: true}</c>
    /// sets a pay-in's status as if the shopper had finished on TWINT without coming back, and (unless <c>Hook</c> is
    /// false) sends its hook and waits for the answer: <c>{"PayIn": {…}, "Hook": {"Url", "StatusCode"}}</c>.
    /// </summary>
    private static async Task<IResult> SetStatusAsync(HttpContext http, string payInId, [FromServices] MangopaySandboxState state,
        [FromServices] MangopaySandboxHooks hooks, CancellationToken cancellationToken)
    {
        if (state.FindPayIn(payInId) is not { } payIn)
        {
            return NotFound(state, "PayIn", payInId);
        }

        var (raw, tooLarge) = await ReadBodyAsync(http.Request, state, cancellationToken);
        if (raw is null)
        {
            return tooLarge!;
        }

        var body = ParseObject(raw);
        var status = body?["Status"] is { } s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null;
        if (body is null || status is not ("SUCCEEDED" or "FAILED" or "CREATED"))
        {
            return Error(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage,
                new JsonObject { ["Status"] = "Status must be SUCCEEDED, FAILED or CREATED." });
        }

        var code = body["ResultCode"] is { } c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>()
            : status switch { "SUCCEEDED" => SuccessCode, "FAILED" => DeclinedCode, _ => null };
        var message = body["ResultMessage"] is { } m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>()
            : status switch { "SUCCEEDED" => SuccessMessage, "FAILED" => DeclinedMessage, _ => null };
        payIn.SetStatus(status, code, message, state.Now(), force: true);

        JsonNode? hook = null;
        var sendHook = body["Hook"] is not { } h || h.GetValueKind() != JsonValueKind.False;
        if (sendHook && status != "CREATED")
        {
            var (url, statusCode, error) = await hooks.SendAsync(Origin(http.Request), HookEvent(status), payIn.Id, cancellationToken);
            hook = new JsonObject { ["Url"] = url, ["StatusCode"] = statusCode, ["Error"] = error };
        }

        return Json(new JsonObject { ["PayIn"] = JsonNode.Parse(payIn.ToJson()), ["Hook"] = hook }, StatusCodes.Status200OK);
    }

    /// <summary>
    /// Mangopay's idempotency: a POST with a key new within 24 h is processed and its answer kept; the same key again
    /// gets that answer (same method, path and body) or 409, or always 409 when replay is off.
    /// </summary>
    private static IResult Idempotent(HttpContext http, string clientId, byte[] raw, MangopaySandboxState state, Func<(int Status, string Json)> handle)
    {
        var request = http.Request;
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            var (status, json) = handle();
            return Text(json, status);
        }

        var key = values.ToString();
        if (!IdempotencyKey().IsMatch(key))
        {
            return Error(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage,
                new JsonObject { [IdempotencyKeyHeader] = "The Idempotency-Key must be 16 to 36 alphanumeric characters or dashes." });
        }

        var path = request.Path.Value ?? string.Empty;
        var existing = state.ClaimKey(clientId, key, request.Method, path, raw);
        if (existing is null)
        {
            var (status, json) = handle();
            state.CompleteKey(clientId, key, status, json, $"{Origin(request)}{path}");
            return Text(json, status);
        }

        if (state.Options.IdempotencyReplay && existing.IsSameRequest(request.Method, path, raw) && existing.Answer is { } first)
        {
            return Text(first.Json, first.Status);
        }

        return Error(state, StatusCodes.Status409Conflict, "idempotent_creation_conflict", "A resource has already been created with this Idempotency Key", null);
    }

    /// <summary>A live Bearer token from the token endpoint, issued for the ClientId in the path.</summary>
    private static IResult? Authorize(HttpRequest request, string clientId, MangopaySandboxState state)
    {
        var auth = request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim() : null;
        if (string.IsNullOrEmpty(token) || state.TokenClient(token) is not { } owner || owner != clientId)
        {
            return Error(state, StatusCodes.Status401Unauthorized, "not_authorized", "Your authorization do not allow you to access to this information", null);
        }

        return null;
    }

    private static bool TryBasic(string header, out string user, out string password)
    {
        user = password = string.Empty;
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task<(byte[]? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, MangopaySandboxState state, CancellationToken cancellationToken)
    {
        return await ReadBoundedAsync(request, MaxBodyBytes, cancellationToken) is { } raw
            ? (raw, null)
            : (null, Error(state, StatusCodes.Status413PayloadTooLarge, "param_error", "The request body is too large.", null));
    }

    /// <summary>The body as a JSON object with case-insensitive names (Mangopay's API binds them so), or null.</summary>
    private static JsonObject? ParseObject(byte[] raw)
    {
        try
        {
            return JsonNode.Parse(raw, new JsonNodeOptions { PropertyNameCaseInsensitive = true }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? RequiredId(JsonObject body, string name, JsonObject errors)
    {
        var value = body[name] is { } v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (value is null || !Id().IsMatch(value))
        {
            errors[name] = $"The {name} field is required (a Mangopay id).";
            return null;
        }

        return value;
    }

    private static string? Text(JsonObject body, string name, JsonObject errors, int maxLength, bool required)
    {
        if (body[name] is not { } node || node.GetValueKind() == JsonValueKind.Null)
        {
            if (required)
            {
                errors[name] = $"The {name} field is required.";
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            errors[name] = $"The {name} field must be a string.";
            return null;
        }

        var value = node.GetValue<string>();
        if (value.Length > maxLength)
        {
            errors[name] = $"The field {name} must be a string with a maximum length of {maxLength}.";
            return null;
        }

        if (required && value.Length == 0)
        {
            errors[name] = $"The {name} field is required.";
            return null;
        }

        return value;
    }

    private static (string Currency, long Amount)? Funds(JsonObject body, string name, JsonObject errors, bool required)
    {
        if (body[name] is not { } node || node.GetValueKind() == JsonValueKind.Null)
        {
            if (required)
            {
                errors[name] = $"The {name} field is required.";
            }

            return null;
        }

        if (node is not JsonObject funds
            || funds["Currency"] is not { } c || c.GetValueKind() != JsonValueKind.String || !Currency().IsMatch(c.GetValue<string>())
            || funds["Amount"] is not { } a || a.GetValueKind() != JsonValueKind.Number || !a.AsValue().TryGetValue<long>(out var amount))
        {
            errors[name] = $"The {name} field must be {{Currency: a 3-letter ISO code, Amount: an integer in minor units}}.";
            return null;
        }

        return (c.GetValue<string>(), amount);
    }

    private static JsonObject Money(string currency, long amount) => new() { ["Currency"] = currency, ["Amount"] = amount };

    private static string HookEvent(string status) => status == "SUCCEEDED" ? "PAYIN_NORMAL_SUCCEEDED" : "PAYIN_NORMAL_FAILED";

    private static (int Status, string Json) ErrorBody(MangopaySandboxState state, int status, string type, string message, JsonObject? errors)
    {
        var now = state.Now();
        var body = new JsonObject
        {
            ["Message"] = message,
            ["Type"] = type,
            ["Id"] = $"{Guid.NewGuid():D}#{now.ToString(CultureInfo.InvariantCulture)}",
            ["Date"] = now,
            ["errors"] = errors,
        };
        return (status, body.ToJsonString());
    }

    private static IResult Error(MangopaySandboxState state, int status, string type, string message, JsonObject? errors)
    {
        var (code, json) = ErrorBody(state, status, type, message, errors);
        return Text(json, code);
    }

    private static (int Status, string Json) NotFoundBody(MangopaySandboxState state, string what, string id) =>
        ErrorBody(state, StatusCodes.Status404NotFound, "ressource_not_found", "The ressource does not exist",
            new JsonObject { ["RessourceNotFound"] = $"Cannot found the ressource {what} with the id={id} " });

    private static IResult NotFound(MangopaySandboxState state, string what, string id)
    {
        var (status, json) = NotFoundBody(state, what, id);
        return Text(json, status);
    }

    /// <summary>Mangopay's answers name their charset.</summary>
    private static IResult Json(JsonNode body, int status) => Text(body.ToJsonString(), status);

    private static IResult Text(string json, int status) => SandboxHttp.Json(json, status, "application/json; charset=utf-8");

    [GeneratedRegex("^[A-Za-z0-9-]{16,36}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdempotencyKey();

    [GeneratedRegex(@"^[A-Za-z0-9_\-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex Id();

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Currency();

    [GeneratedRegex("^[A-Za-z0-9 ]{1,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex Descriptor();
}
