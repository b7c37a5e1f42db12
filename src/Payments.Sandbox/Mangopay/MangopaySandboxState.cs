using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Payments.Sandbox.Mangopay;

/// <summary>
/// Settings of the Mangopay simulator, bound from <c>Sandbox:Mangopay</c>. The credentials are placeholders, not secrets.
/// </summary>
public sealed class MangopaySandboxOptions
{
    public const string SectionName = "Sandbox:Mangopay";

    public const string DefaultClientId = "sandbox-client";
    public const string DefaultApiKey = "sandbox-api-key";

    /// <summary>The ClientId the token endpoint accepts (Basic user), and the only one in resource paths.</summary>
    public string ClientId { get; set; } = DefaultClientId;

    /// <summary>The API key the token endpoint accepts (Basic password).</summary>
    public string ApiKey { get; set; } = DefaultApiKey;

    /// <summary><c>expires_in</c> of issued tokens. Mangopay's own sandbox says 1200; tests make it short.</summary>
    public int TokenLifetimeSeconds { get; set; } = 1200;

    /// <summary>
    /// Where hooks go. Mangopay configures hooks per platform and event type (not per pay-in), so the simulator takes
    /// the URL from here: an absolute URL, or a path taken on the origin of the request that triggers the hook (the host
    /// the simulator is mounted in). Empty means <c>/api/webhooks/mangopay</c> there.
    /// </summary>
    public string? HookUrl { get; set; }

    /// <summary>Whether the hosted page's Pay and Decline fire <c>PAYIN_NORMAL_SUCCEEDED</c> / <c>_FAILED</c> hooks (in the background).</summary>
    public bool HookOnDecision { get; set; } = true;

    /// <summary>
    /// What a reused Idempotency-Key gets. True: the same request (method, path, body) gets the first answer again and
    /// a different one 409. False: every reuse within 24 h is a 409, as Mangopay's idempotency page says ("block all
    /// but the first request"); the first answer is then read at <c>GET /responses/{key}</c>.
    /// </summary>
    public bool IdempotencyReplay { get; set; } = true;
}

/// <summary>
/// The simulated Mangopay platform: issued tokens, TWINT pay-ins and their hosted sessions, refunds, and the answers
/// given to idempotency keys. In memory and thread-safe: each pay-in changes only under its own lock.
/// </summary>
public sealed class MangopaySandboxState(TimeProvider clock, IOptionsMonitor<MangopaySandboxOptions> options)
{
    /// <summary>"The TWINT session times out after 15 minutes for the hosted webpage."</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(15);

    /// <summary>Idempotency keys are remembered this long.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxPayIn> _payIns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxPayIn> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (SandboxPayIn PayIn, JsonObject Refund)> _refunds = new(StringComparer.Ordinal);
    private readonly SandboxReplay<MangopayKeptAnswer> _keys = new(clock, IdempotencyWindow);
    private int _tokensIssued;

    public TimeProvider Clock => clock;

    public MangopaySandboxOptions Options => options.CurrentValue;

    /// <summary>How many tokens the token endpoint has issued (tests check that the client caches).</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public long Now() => clock.GetUtcNow().ToUnixTimeSeconds();

    public (string Token, int ExpiresIn) IssueToken(string clientId)
    {
        var lifetime = Math.Max(1, Options.TokenLifetimeSeconds);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = new IssuedToken(clientId, clock.GetUtcNow().AddSeconds(lifetime));
        Interlocked.Increment(ref _tokensIssued);
        return (token, lifetime);
    }

    /// <summary>The ClientId a live token was issued for, or null (unknown, revoked or expired).</summary>
    public string? TokenClient(string token) =>
        _tokens.TryGetValue(token, out var t) && t.ExpiresAt > clock.GetUtcNow() ? t.ClientId : null;

    /// <summary>Revokes every token (a control for tests of the client's 401 handling).</summary>
    public int RevokeTokens()
    {
        var count = _tokens.Count;
        _tokens.Clear();
        return count;
    }

    public SandboxPayIn AddPayIn(string clientId, JsonObject payIn, string returnUrl, string redirectBase)
    {
        var id = $"wt_{Guid.NewGuid():D}";
        var session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        payIn["Id"] = id;
        payIn["ReturnURL"] = AppendTransactionId(returnUrl, id);
        payIn["RedirectURL"] = $"{redirectBase}/{session}";
        var created = new SandboxPayIn(id, clientId, session, payIn, clock.GetUtcNow() + SessionLifetime);
        _payIns[id] = created;
        _sessions[session] = created;
        return created;
    }

    public SandboxPayIn? FindPayIn(string clientId, string id)
    {
        if (!_payIns.TryGetValue(id, out var payIn) || payIn.ClientId != clientId)
        {
            return null;
        }

        payIn.ExpireIfDue(clock.GetUtcNow(), Now());
        return payIn;
    }

    public SandboxPayIn? FindPayIn(string id) => _payIns.TryGetValue(id, out var p) ? FindPayIn(p.ClientId, id) : null;

    /// <summary>The pay-in whose hosted TWINT page is <paramref name="session"/>, while the page is open.</summary>
    public SandboxPayIn? FindSession(string session)
    {
        if (!_sessions.TryGetValue(session, out var payIn))
        {
            return null;
        }

        payIn.ExpireIfDue(clock.GetUtcNow(), Now());
        return payIn.Status == "CREATED" ? payIn : null;
    }

    public void AddRefund(SandboxPayIn payIn, JsonObject refund) => _refunds[refund["Id"]!.GetValue<string>()] = (payIn, refund);

    public JsonObject? FindRefund(string clientId, string id) =>
        _refunds.TryGetValue(id, out var r) && r.PayIn.ClientId == clientId ? r.Refund : null;

    /// <summary>
    /// Claims <paramref name="key"/> for a request. Null: it is new, go on and <see cref="CompleteKey"/> afterwards.
    /// Otherwise the entry already there (perhaps still in progress).
    /// </summary>
    public SandboxReplayEntry<MangopayKeptAnswer>? ClaimKey(string clientId, string key, string method, string path, byte[] body) =>
        _keys.Claim(KeyOf(clientId, key), RequestOf(method, path), body);

    public void CompleteKey(string clientId, string key, int status, string responseJson, string requestUrl) =>
        _keys.Complete(KeyOf(clientId, key), new MangopayKeptAnswer(status, responseJson, requestUrl, Now()));

    public SandboxReplayEntry<MangopayKeptAnswer>? FindKey(string clientId, string key) => _keys.Find(KeyOf(clientId, key));

    /// <summary>What makes a request "the same" for Mangopay's idempotency: its method and path (and its body).</summary>
    public static string RequestOf(string method, string path) => $"{method} {path}";

    public static string AppendTransactionId(string returnUrl, string payInId) =>
        $"{returnUrl}{(returnUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?')}transactionId={Uri.EscapeDataString(payInId)}";

    /// <summary>Keys are per ClientId (one platform account's keys are not another's).</summary>
    private static string KeyOf(string clientId, string key) => $"{clientId}\n{key}";

    private sealed record IssuedToken(string ClientId, DateTimeOffset ExpiresAt);
}

/// <summary>The first answer given to an idempotency key, as <c>GET /responses/{key}</c> shows it.</summary>
public sealed record MangopayKeptAnswer(int Status, string Json, string RequestUrl, long Date);

/// <summary>A simulated TWINT pay-in; every read or change of its JSON holds its lock.</summary>
public sealed class SandboxPayIn(string id, string clientId, string session, JsonObject json, DateTimeOffset sessionExpiresAt)
{
    private readonly Lock _lock = new();
    private long _refundedMinor;

    public string Id => id;
    public string ClientId => clientId;
    public string Session => session;
    public DateTimeOffset SessionExpiresAt => sessionExpiresAt;

    public string Status
    {
        get
        {
            lock (_lock)
            {
                return json[nameof(Status)]!.GetValue<string>();
            }
        }
    }

    public string ReturnUrl
    {
        get
        {
            lock (_lock)
            {
                return json["ReturnURL"]!.GetValue<string>();
            }
        }
    }

    public string ToJson()
    {
        lock (_lock)
        {
            return json.ToJsonString();
        }
    }

    public JsonObject Snapshot()
    {
        lock (_lock)
        {
            return (JsonObject)json.DeepClone();
        }
    }

    /// <summary>Sets the status (and its result and execution date); false when it was final already and <paramref name="force"/> is off.</summary>
    public bool SetStatus(string status, string? resultCode, string? resultMessage, long now, bool force = false)
    {
        lock (_lock)
        {
            if (!force && json[nameof(Status)]!.GetValue<string>() != "CREATED")
            {
                return false;
            }

            json[nameof(Status)] = status;
            json["ResultCode"] = resultCode;
            json["ResultMessage"] = resultMessage;
            json["ExecutionDate"] = status == "SUCCEEDED" ? now : null;
            return true;
        }
    }

    /// <summary>A pay-in left CREATED past its session fails as abandoned (the sandbox's choice of result code).</summary>
    public void ExpireIfDue(DateTimeOffset now, long unixNow)
    {
        if (now >= sessionExpiresAt)
        {
            SetStatus("FAILED", MangopaySandbox.AbandonedCode, MangopaySandbox.AbandonedMessage, unixNow);
        }
    }

    /// <summary>
    /// Takes <paramref name="amount"/> (null: all that is left) off what can still be refunded. Returns the amount
    /// taken, or an error message.
    /// </summary>
    public (long Amount, string? Error) TryRefund(long? amount)
    {
        lock (_lock)
        {
            if (json[nameof(Status)]!.GetValue<string>() != "SUCCEEDED")
            {
                return (0, "Only a SUCCEEDED pay-in can be refunded.");
            }

            var paid = json["DebitedFunds"]!["Amount"]!.GetValue<long>();
            var left = paid - _refundedMinor;
            var take = amount ?? left;
            if (take < 1 || take > left)
            {
                return (0, left == 0 ? "The pay-in has been refunded in full already." : $"The amount to refund must be between 1 and {left}.");
            }

            _refundedMinor += take;
            return (take, null);
        }
    }
}
