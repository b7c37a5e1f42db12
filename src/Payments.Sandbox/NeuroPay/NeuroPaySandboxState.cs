using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Payments.Sandbox.NeuroPay;

/// <summary>
/// The simulated Neuro-Pay account(s): checkouts and customers, each visible only to the API key that created it
/// (as with per-company keys). In memory, thread-safe: each object's fields are only touched under its own lock.
/// </summary>
public sealed class NeuroPaySandboxState(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, NeuroPaySandboxCheckout> _checkouts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NeuroPaySandboxCustomer> _customers = new(StringComparer.Ordinal);

    public TimeProvider Clock => clock;

    /// <summary>The owner of what an API key creates: a hash, so that keys are not kept.</summary>
    public static string Owner(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>32 lower-case hex digits, like the ids in Neuro-Pay's examples.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public NeuroPaySandboxCheckout AddCheckout(NeuroPaySandboxCheckout checkout)
    {
        _checkouts[checkout.Id] = checkout;
        return checkout;
    }

    /// <summary>The owner's checkout, or null (another key's checkout is as unknown as a missing one).</summary>
    public NeuroPaySandboxCheckout? FindCheckout(string owner, string? id) =>
        id is not null && _checkouts.TryGetValue(id, out var c) && c.Owner == owner ? c : null;

    /// <summary>For the hosted page and the sandbox controls, which know the id only.</summary>
    public NeuroPaySandboxCheckout? FindCheckout(string? id) => id is not null && _checkouts.TryGetValue(id, out var c) ? c : null;

    public NeuroPaySandboxCustomer AddCustomer(NeuroPaySandboxCustomer customer)
    {
        _customers[customer.Id] = customer;
        return customer;
    }

    public NeuroPaySandboxCustomer? FindCustomer(string owner, string? id) =>
        id is not null && _customers.TryGetValue(id, out var c) && c.Owner == owner ? c : null;

    public NeuroPaySandboxCustomer? FindCustomer(string? id) => id is not null && _customers.TryGetValue(id, out var c) ? c : null;

    public bool RemoveCustomer(NeuroPaySandboxCustomer customer) =>
        _customers.TryRemove(new KeyValuePair<string, NeuroPaySandboxCustomer>(customer.Id, customer));

    /// <summary>UTC, ISO 8601 ("every date and time returned are in UTC").</summary>
    public string Timestamp() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Why a simulated operation was refused: Neuro-Pay-style error code and message, and the HTTP status.</summary>
public sealed record NeuroPaySandboxError(string Code, string Message, int Status = 400);

/// <summary>What the create request asked for, validated.</summary>
public sealed record NeuroPaySandboxCheckoutRequest(
    string? Identifier,
    long Amount,
    string Currency,
    string Message,
    bool Capture,
    bool AllowSaveCard,
    string ReturnUrl,
    string ReturnUrlCancel,
    string? CustomerId,
    string? CardId,
    string? Template,
    Dictionary<string, string> MetaData);

/// <summary>A checkout as the hosted page shows it.</summary>
public sealed record NeuroPaySandboxCheckoutView(
    string Id, string Status, long Amount, string Currency, string Message, string ReturnUrl, bool OffersSaveCard, string? Template);

/// <summary>A simulated checkout. Every read or change holds its lock.</summary>
public sealed class NeuroPaySandboxCheckout
{
    public const string Created = "created";
    public const string Reserved = "reserved";
    public const string ReserveReleased = "reserve released";
    public const string Paid = "paid";
    public const string Refunded = "refunded";
    public const string PartialRefund = "partialRefund";
    public const string Revoked = "revoked";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    public static readonly IReadOnlySet<string> RefundReasons = new HashSet<string>(StringComparer.Ordinal) { "duplicate", "requested_by_customer", "fraudolent" };

    private readonly Lock _lock = new();
    private readonly NeuroPaySandboxCheckoutRequest _request;
    private readonly Dictionary<string, string> _metaData;
    private readonly JsonArray _refunds = [];
    private readonly string _created;
    private string _status;
    private long _refunded;
    private string _updated;

    public NeuroPaySandboxCheckout(string id, string owner, NeuroPaySandboxCheckoutRequest request, string status, string now)
    {
        Id = id;
        Owner = owner;
        _request = request;
        _metaData = new Dictionary<string, string>(request.MetaData, StringComparer.Ordinal);
        _status = status;
        _created = now;
        _updated = now;
    }

    public string Id { get; }
    public string Owner { get; }
    public string? CustomerId => _request.CustomerId;

    public string Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    public NeuroPaySandboxCheckoutView View()
    {
        lock (_lock)
        {
            return new NeuroPaySandboxCheckoutView(Id, _status, _request.Amount, _request.Currency, _request.Message, _request.ReturnUrl,
                _request.AllowSaveCard && _request.CustomerId is not null, _request.Template);
        }
    }

    /// <summary>The shopper's choice on the hosted page, once, while created. Returns where the browser goes next.</summary>
    public string? Decide(string decision, string now)
    {
        lock (_lock)
        {
            if (_status != Created)
            {
                return null;
            }

            (_status, var target) = decision switch
            {
                "pay" => (_request.Capture ? Paid : Reserved, _request.ReturnUrl),
                "decline" => (Failed, _request.ReturnUrl),
                _ => (Canceled, _request.ReturnUrlCancel),
            };
            _updated = now;
            return target;
        }
    }

    public NeuroPaySandboxError? Capture(string now)
    {
        lock (_lock)
        {
            if (_status != Reserved)
            {
                return new("invalid_status", $"Only a reserved checkout can be captured; this one is {_status}.");
            }

            _status = Paid;
            _updated = now;
            return null;
        }
    }

    /// <summary>Money back on paid/partialRefund (partial refunds add up); a whole release on reserved.</summary>
    public NeuroPaySandboxError? Refund(long? amount, string? reason, string? details, string now)
    {
        lock (_lock)
        {
            switch (_status)
            {
                case Reserved:
                    if (amount is { } a && a != _request.Amount)
                    {
                        return new("invalid_amount", "A reservation is released whole: leave amount out.");
                    }

                    _status = ReserveReleased;
                    break;
                case Paid or PartialRefund:
                    var remaining = _request.Amount - _refunded;
                    var refund = amount ?? remaining;
                    if (refund < 1 || refund > remaining)
                    {
                        return new("invalid_amount", $"The amount must be between 1 and {remaining}, what is left to refund.");
                    }

                    _refunded += refund;
                    _status = _refunded == _request.Amount ? Refunded : PartialRefund;
                    _refunds.Add(new JsonObject { ["amount"] = refund, ["reason"] = reason, ["refundDetails"] = details, ["created"] = now });
                    break;
                default:
                    return new("invalid_status", $"Only a paid, partially refunded or reserved checkout can be refunded; this one is {_status}.");
            }

            _updated = now;
            return null;
        }
    }

    /// <summary>Sets metaData keys; an empty value deletes its key. Any status.</summary>
    public void Update(IEnumerable<KeyValuePair<string, string>> changes, string now)
    {
        lock (_lock)
        {
            foreach (var (key, value) in changes)
            {
                if (value.Length == 0)
                {
                    _metaData.Remove(key);
                }
                else
                {
                    _metaData[key] = value;
                }
            }

            _updated = now;
        }
    }

    /// <summary>Only while created. The checkout stays readable as "revoked" (the docs do not say what delete leaves behind).</summary>
    public NeuroPaySandboxError? Delete(string now)
    {
        lock (_lock)
        {
            if (_status != Created)
            {
                return new("invalid_status", $"Only a checkout still created can be deleted; this one is {_status}.");
            }

            _status = Revoked;
            _updated = now;
            return null;
        }
    }

    /// <summary>Sandbox control: any status word, known or not.</summary>
    public void SetStatus(string status, string now)
    {
        lock (_lock)
        {
            _status = status;
            _updated = now;
        }
    }

    public JsonObject ToJson(string pageUrl)
    {
        lock (_lock)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in _metaData)
            {
                meta[k] = v;
            }

            return new JsonObject
            {
                ["checkout_id"] = Id,
                ["identifier"] = _request.Identifier ?? Id,
                ["status"] = _status,
                ["amount"] = _request.Amount,
                ["refunded_amount"] = _refunded,
                ["currency"] = _request.Currency,
                ["message"] = _request.Message,
                ["capture"] = _request.Capture,
                ["allowSaveCard"] = _request.AllowSaveCard,
                ["returnUrl"] = _request.ReturnUrl,
                ["returnUrlCancel"] = _request.ReturnUrlCancel,
                ["customer_id"] = _request.CustomerId,
                ["card_id"] = _request.CardId,
                ["template"] = _request.Template,
                ["metaData"] = meta,
                ["refunds"] = _refunds.DeepClone(),
                ["url"] = pageUrl,
                ["created"] = _created,
                ["updated"] = _updated,
            };
        }
    }
}

public sealed record NeuroPaySandboxCard(string Id, string Brand, string Last4, string Expiry, bool IsDefault);

/// <summary>A simulated customer with saved cards. Every read or change holds its lock.</summary>
public sealed class NeuroPaySandboxCustomer(string id, string owner, string firstName, string lastName, string email,
    Dictionary<string, string> metaData, string now)
{
    /// <summary>A saved card ending in these digits is declined on automatic payments.</summary>
    public const string DecliningLast4 = "0002";

    private readonly Lock _lock = new();
    private readonly List<NeuroPaySandboxCard> _cards = [];

    public string Id => id;
    public string Owner => owner;

    public IReadOnlyList<NeuroPaySandboxCard> Cards
    {
        get
        {
            lock (_lock)
            {
                return [.. _cards];
            }
        }
    }

    public string Name => $"{firstName} {lastName}";

    public NeuroPaySandboxCard? FindCard(string? cardId)
    {
        lock (_lock)
        {
            return _cards.FirstOrDefault(c => c.Id == cardId);
        }
    }

    /// <summary>Saves a card; the first one becomes the default.</summary>
    public NeuroPaySandboxCard AddCard(string brand, string last4, string expiry)
    {
        lock (_lock)
        {
            var card = new NeuroPaySandboxCard(NeuroPaySandboxState.NewId(), brand, last4, expiry, _cards.Count == 0);
            _cards.Add(card);
            return card;
        }
    }

    public JsonObject ToJson(string clientPage)
    {
        lock (_lock)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metaData)
            {
                meta[k] = v;
            }

            var cards = new JsonArray();
            foreach (var c in _cards)
            {
                cards.Add(new JsonObject { ["card_id"] = c.Id, ["brand"] = c.Brand, ["last4"] = c.Last4, ["expiry"] = c.Expiry, ["default"] = c.IsDefault });
            }

            return new JsonObject
            {
                ["customer_id"] = id,
                ["first_name"] = firstName,
                ["last_name"] = lastName,
                ["email"] = email,
                ["client_page"] = clientPage,
                ["metaData"] = meta,
                ["savedCards"] = cards,
                ["created"] = now,
            };
        }
    }
}
