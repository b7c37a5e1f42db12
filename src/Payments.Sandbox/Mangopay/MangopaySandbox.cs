using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
/// <remarks>
/// One file per API area: this one (routes, the token endpoint, field reads), <c>.PayIns</c> (pay-ins and refunds),
/// <c>.Idempotency</c>, <c>.HostedPage</c> (the TWINT page and the sandbox flip) and <c>.Errors</c> (auth, bodies, errors).
/// </remarks>
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
    [GeneratedRegex("^[A-Za-z0-9-]{16,36}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdempotencyKey();

    [GeneratedRegex(@"^[A-Za-z0-9_\-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex Id();

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Currency();

    [GeneratedRegex("^[A-Za-z0-9 ]{1,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex Descriptor();
}
