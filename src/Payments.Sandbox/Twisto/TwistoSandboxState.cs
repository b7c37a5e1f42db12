using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Payments.Sandbox.Twisto;

/// <summary>Settings of the simulated Twisto, bound from <c>Sandbox:Twisto</c>.</summary>
public sealed class TwistoSandboxOptions
{
    public const string SectionName = "Sandbox:Twisto";

    /// <summary>
    /// Where the simulated Twisto POSTs its webhooks. At Twisto this URL is given at registration (neither API has
    /// a per-checkout webhook field), so here it is a sandbox setting; unset, no webhooks are sent. For the host:
    /// <c>{PublicBaseUrl}/api/webhooks/twisto</c>.
    /// </summary>
    public string? WebhookUrl { get; set; }

    /// <summary>
    /// The v4 account's Immediate Capture mode (a registration choice at Twisto): an approved checkout is then
    /// charged at once and becomes <c>completed</c>; without it, it stays <c>approved</c> until <c>POST /charges</c>.
    /// Pay in 3 always completes at once ("completed … only if immediate_capture is enabled or for Pay in 3").
    /// </summary>
    public bool ImmediateCapture { get; set; } = true;
}

/// <summary>
/// The simulated Twisto: v4 checkouts (with their charges and refunds) and v2 orders. In memory and thread-safe:
/// each object's JSON is only touched under its own lock, and idempotent writes run one at a time.
/// </summary>
public sealed class TwistoSandboxState(
    TimeProvider clock,
    IOptionsMonitor<TwistoSandboxOptions> options,
    IHttpClientFactory httpClients,
    ILogger<TwistoSandboxState> logger)
{
    public const string WebhookClientName = "twisto-sandbox-webhooks";

    private readonly ConcurrentDictionary<string, TwistoSandboxObject> _checkouts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TwistoSandboxObject> _orders = new(StringComparer.Ordinal);
    private readonly SandboxReplay<StoredAnswer> _idempotent = new(clock, TimeSpan.MaxValue);
    private readonly Lock _writes = new();

    public TwistoSandboxOptions Options => options.CurrentValue;

    /// <summary>Idempotent writes (cancel, charges, refunds, v2 actions) run under this lock, one at a time.</summary>
    public Lock Writes => _writes;

    public TwistoSandboxObject AddCheckout(JsonObject checkout, JsonObject request)
    {
        var id = checkout["id"]!.GetValue<string>();
        var added = new TwistoSandboxObject(id, "v4", checkout, request);
        _checkouts[id] = added;
        return added;
    }

    public TwistoSandboxObject AddOrder(JsonObject order, JsonObject request)
    {
        var id = order["id"]!.GetValue<string>();
        var added = new TwistoSandboxObject(id, "v2", order, request);
        _orders[id] = added;
        return added;
    }

    public TwistoSandboxObject? FindCheckout(string id) => _checkouts.TryGetValue(id, out var c) ? c : null;

    public TwistoSandboxObject? FindOrder(string id) => _orders.TryGetValue(id, out var o) ? o : null;

    public TwistoSandboxObject? Find(string version, string id) => version == "v2" ? FindOrder(id) : FindCheckout(id);

    /// <summary>A stored answer for (<paramref name="scope"/>, key): the replay, a conflict (another body), or null (new).</summary>
    public StoredAnswer? Replay(string scope, string? key, string body, out bool conflict)
    {
        conflict = false;
        if (key is null || _idempotent.Find(KeyOf(scope, key)) is not { } stored)
        {
            return null;
        }

        if (!stored.IsSameRequest(scope, Encoding.UTF8.GetBytes(body)))
        {
            conflict = true;
            return null;
        }

        return stored.Answer;
    }

    /// <summary>Keeps the answer to a new key (Twisto documents no expiry, so for as long as the sandbox runs).</summary>
    public void Remember(string scope, string? key, string body, int status, string answer)
    {
        if (key is not null)
        {
            _idempotent.Claim(KeyOf(scope, key), scope, Encoding.UTF8.GetBytes(body));
            _idempotent.Complete(KeyOf(scope, key), new StoredAnswer(status, answer));
        }
    }

    public static string NewId() => Guid.NewGuid().ToString("D");

    /// <summary>Numeric, and never one handed out before a restart (see <see cref="SandboxNumbers"/>).</summary>
    public static string NewReceiptNumber() => SandboxNumbers.Next().ToString(CultureInfo.InvariantCulture);

    public static string RandomReference() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public string Timestamp() => clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Sends the object's webhook to <see cref="TwistoSandboxOptions.WebhookUrl"/>, if set, and waits for the answer
    /// (Twisto sends asynchronously; waiting keeps tests deterministic). A failure is logged, never thrown.
    /// </summary>
    public async Task NotifyAsync(TwistoSandboxObject target, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(options.CurrentValue.WebhookUrl, UriKind.Absolute, out var url))
        {
            return;
        }

        var body = target.WebhookJson();
        try
        {
            using var client = httpClients.CreateClient(WebhookClientName);
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await client.PostAsync(url, content, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Twisto sandbox webhook for {Id} got {Status}", target.Id, (int)response.StatusCode);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning("Twisto sandbox webhook for {Id} failed: {Error}", target.Id, ex.GetType().Name);
        }
    }

    /// <summary>Twisto decimals: two places, "." separator.</summary>
    public static string Money(long minor) => (minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string KeyOf(string scope, string key) => $"{scope}\n{key}";
}

/// <summary>An answer kept for an idempotency key: the status and the JSON sent.</summary>
public sealed record StoredAnswer(int Status, string Answer);

/// <summary>
/// A simulated v4 checkout or v2 order. Its JSON is the documented object; every read or change holds its lock.
/// Amounts are tracked in minor units beside the JSON; <paramref name="request"/> is the create body (for the page).
/// </summary>
public sealed class TwistoSandboxObject(string id, string version, JsonObject json, JsonObject request)
{
    private readonly Lock _lock = new();
    private bool _decided;
    private long _refundedMinor;

    public string Id => id;

    /// <summary>"v4" (checkout) or "v2" (order).</summary>
    public string Version => version;

    /// <summary>Set once the hosted page has sent the shopper back with a decision.</summary>
    public bool Decided
    {
        get
        {
            lock (_lock)
            {
                return _decided;
            }
        }
    }

    public string State => Read(j => j[StateField]!.GetValue<string>());

    public long AmountMinor => Read(j => TwistoSandbox.ParseMinor(AmountOf(j)) ?? 0);

    public long RefundedMinor
    {
        get
        {
            lock (_lock)
            {
                return _refundedMinor;
            }
        }
    }

    private string StateField => version == "v2" ? "status" : "state";

    /// <summary>Where Twisto sends the shopper back: v4 <c>config.redirect_uri</c>, v2 <c>return_url</c>.</summary>
    public string ReturnUrl => ReadRequest(r => version == "v2"
        ? r["return_url"]!.GetValue<string>()
        : r["config"]!["redirect_uri"]!.GetValue<string>());

    /// <summary>Reads the create body as received (JSON nodes are not safe for concurrent reads: under the lock).</summary>
    public T ReadRequest<T>(Func<JsonObject, T> read)
    {
        lock (_lock)
        {
            return read(request);
        }
    }

    /// <summary>Closes the hosted page (the payment was decided elsewhere: cancelled, flipped).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _decided = true;
        }
    }

    public T Read<T>(Func<JsonObject, T> read)
    {
        lock (_lock)
        {
            return read(json);
        }
    }

    public string ToJson() => Read(j => j.ToJsonString());

    /// <summary>Sets the state word; returns whether it changed.</summary>
    public bool SetState(string state)
    {
        lock (_lock)
        {
            var changed = json[StateField]?.GetValue<string>() != state;
            json[StateField] = state;
            return changed;
        }
    }

    /// <summary>The shopper's decision on the hosted page: taken once, unless it left the payment pending.</summary>
    public bool TryDecide(string state, bool final)
    {
        lock (_lock)
        {
            if (_decided)
            {
                return false;
            }

            json[StateField] = state;
            _decided = final;
            return true;
        }
    }

    /// <summary>Adds a refund of <paramref name="minor"/>; false when more than what is left.</summary>
    public bool TryRefund(long minor)
    {
        lock (_lock)
        {
            var amount = TwistoSandbox.ParseMinor(AmountOf(json)) ?? 0;
            if (minor <= 0 || _refundedMinor + minor > amount)
            {
                return false;
            }

            _refundedMinor += minor;
            if (version == "v2")
            {
                json["current_amount"] = TwistoSandboxState.Money(amount - _refundedMinor);
                json["refund_amount"] = TwistoSandboxState.Money(_refundedMinor);
                if (_refundedMinor == amount)
                {
                    json["status"] = "refunded";
                }
            }

            return true;
        }
    }

    /// <summary>
    /// The webhook body. v4 as documented: <c>{checkout_id, total_amount, refunded_amount, created_date,
    /// settled_date, type, state, external_id}</c> (<c>external_id</c>, "merchant transaction id", is taken to be the
    /// checkout's <c>order.reference</c>). v2's body is not documented: the order object is sent.
    /// </summary>
    public string WebhookJson() => Read(j => version == "v2"
        ? j.ToJsonString()
        : new JsonObject
        {
            ["checkout_id"] = id,
            ["total_amount"] = j["order"]?["amount"]?.DeepClone(),
            ["refunded_amount"] = TwistoSandboxState.Money(_refundedMinor),
            ["created_date"] = j["created"]?.DeepClone(),
            ["settled_date"] = j["settled"]?.DeepClone(),
            ["type"] = j["type"]?.DeepClone(),
            ["state"] = j["state"]?.DeepClone(),
            ["external_id"] = j["order"]?["reference"]?.DeepClone(),
        }.ToJsonString());

    private string? AmountOf(JsonObject j) =>
        version == "v2" ? j["initial_amount"]?.GetValue<string>() : j["order"]?["amount"]?.GetValue<string>();
}
