using System.Security.Cryptography;
using CsCheck;
using static Payments.Host.Tests.BadInputGen;

namespace Payments.Host.Tests;

/// <summary>
/// The generators of bad input per endpoint (body, item, metadata, token, return-form and webhook poisons) and the
/// contracts each endpoint's answer is held to; the test groups and the runner are in BadInputPropertyTests.cs.
/// </summary>
public sealed partial class BadInputPropertyTests
{
    // ---- Poisons per endpoint ----

    private static JsonObject Item(string unitPrice = "5.00", int quantity = 1) => new() { ["name"] = "Mug", ["quantity"] = quantity, ["unitPrice"] = unitPrice };

    private static readonly string[] CreateStringFields =
    [
        "provider", "merchantReference", "amount", "currency", "successUrl", "failureUrl", "items.0.name", "items.0.sku", "items.0.unitPrice",
        "items.0.vatRate", "items.0.type", "customer.email", "customer.firstName", "customer.lastName", "items.0.quantity",
    ];

    /// <summary>Item totals that overflow a long (the issue's 10 × 100000 × 100000000000.00), or too many items.</summary>
    private static Gen<Mutation> OverflowingItems { get; } = Gen.Frequency<Mutation>(
        (3, Gen.Int[10, 100].Select(n => new Mutation($"{n} items of 100000 × 100000000000.00", d => d.Edit(o =>
            o["items"] = new JsonArray([.. Enumerable.Range(0, n).Select(_ => (JsonNode)Item("100000000000.00", 100_000))]))))),
        (1, Gen.Int[2, 100].Select(n => new Mutation($"{n} items of 100000 × 100000000000.00 against as many discounts", d => d.Edit(o =>
            o["items"] = new JsonArray([.. Enumerable.Range(0, n).SelectMany(_ => new JsonNode[]
            {
                Item("100000000000.00", 100_000), new JsonObject { ["name"] = "Voucher", ["quantity"] = 100_000, ["unitPrice"] = "-100000000000.00", ["type"] = "discount" },
            })]))))),
        (1, Gen.Int[101, 300].Select(n => new Mutation($"{n} items", d => d.Edit(o => o["items"] = new JsonArray([.. Enumerable.Range(0, n).Select(_ => (JsonNode)Item())]))))));

    private static Gen<Mutation> ItemsPoison { get; } = Gen.Frequency<Mutation>(
        (3, OverflowingItems),
        (3, HostileField("items.0.name", "items.0.sku", "items.0.unitPrice", "items.0.vatRate", "items.0.type", "items.0.quantity")),
        (2, Gen.Select(Gen.OneOf("items.0.unitPrice", "items.0.vatRate", "items.0.type"), Gen.OneOf("-1.00", "1.001", "1e3", "", " 1", "100000000000.01", "999999999999999999.00", "12,50", "nope"),
            (f, v) => new Mutation($"{f} = '{v}'", d => d.Edit(o => Set(o, f, v))))),
        (2, Gen.OneOf(0, -1, 100_001, int.MaxValue, int.MinValue).Select(q => new Mutation($"quantity {q}", d => d.Edit(o => Set(o, "items.0.quantity", q))))),
        (1, ControlText.Select(t => new Mutation("item name with control characters or too long", d => d.Edit(o => Set(o, "items.0.name", t))))),
        (1, Gen.Const(new Mutation("items not an array", d => d.Edit(o => o["items"] = new JsonObject())))),
        (1, Gen.Const(new Mutation("an item that is null", d => d.Edit(o => o["items"] = new JsonArray(null, Item()))))),
        (1, UnknownProperty("$")));

    private static Gen<Mutation> ProviderOptionsPoison { get; } = Gen.OneOf<Mutation>(
        Gen.OneOf(LoneSurrogates).Select(s => new Mutation("providerOptions value " + s, d => d.Edit(o => o["providerOptions"] = new JsonObject { ["note"] = Raw(s) }))),
        Nesting.Select(n => new Mutation("providerOptions nested", d => d.Edit(o => o["providerOptions"] = new JsonObject { ["note"] = Raw(n) }))),
        Gen.OneOf("a-b", "", "a b", "é", new string('k', 41), "a.b").Select(k => new Mutation($"providerOptions key '{k}'", d => d.Edit(o => o["providerOptions"] = new JsonObject { [k] = "1" }))),
        Gen.Int[21, 60].Select(n => new Mutation($"{n} providerOptions", d => d.Edit(o =>
            o["providerOptions"] = new JsonObject(Enumerable.Range(0, n).Select(i => KeyValuePair.Create("k" + i, (JsonNode?)"v")))))),
        ControlText.Select(t => new Mutation("providerOptions value with control characters or too long", d => d.Edit(o => o["providerOptions"] = new JsonObject { ["note"] = t }))),
        Gen.OneOf("null", "[]", "{}").Select(v => new Mutation("providerOptions value " + v, d => d.Edit(o => o["providerOptions"] = new JsonObject { ["note"] = Raw(v) }))));

    /// <summary>Metadata entries no endpoint takes (customers have no entry limit): keys over 40, values over 500, control characters, hostile JSON.</summary>
    private static Gen<Mutation> MetadataEntryPoison { get; } = Gen.OneOf<Mutation>(
        Gen.OneOf(LoneSurrogates).Select(s => new Mutation("metadata value " + s, d => d.Edit(o => o["metadata"] = new JsonObject { ["cart"] = Raw(s) }))),
        Gen.OneOf(LoneSurrogates).Select(s => new Mutation("metadata key " + s, d => d.Json is null ? d : d with
        {
            Json = null,
            RawBody = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Render(d.Json))[..^1] + ",\"metadata\":{" + s + ":\"x\"}}"),
        })),
        Gen.Int[41, 500].Select(n => new Mutation($"metadata key of {n}", d => d.Edit(o => o["metadata"] = new JsonObject { [new string('k', n)] = "v" }))),
        Gen.Int[501, 5000].Select(n => new Mutation($"metadata value of {n}", d => d.Edit(o => o["metadata"] = new JsonObject { ["k"] = new string('v', n) }))),
        HostileScalar.Select(v => new Mutation("metadata value " + v[..Math.Min(v.Length, 20)], d => d.Edit(o => o["metadata"] = new JsonObject { ["k"] = Raw(v) }))),
        Gen.OneOf("\u0007", "a\u0000").Select(v => new Mutation("metadata control character", d => d.Edit(o => o["metadata"] = new JsonObject { ["k"] = v }))));

    /// <summary>Create order's metadata: at most 20 entries, as well as the entry rules of <see cref="MetadataEntryPoison"/>.</summary>
    private static Gen<Mutation> MetadataPoison { get; } = Gen.Frequency<Mutation>(
        (1, Gen.Int[21, 60].Select(n => new Mutation($"{n} metadata entries", d => d.Edit(o =>
            o["metadata"] = new JsonObject(Enumerable.Range(0, n).Select(i => KeyValuePair.Create("k" + i, (JsonNode?)"v"))))))),
        (6, MetadataEntryPoison));

    private static Gen<Mutation> CreateBodyPoison { get; } = Gen.Frequency<Mutation>(
        (4, HostileField(CreateStringFields)),
        (3, OverflowingItems),
        (2, ItemsPoison),
        (2, Gen.Select(Gen.OneOf("merchantReference", "provider", "currency", "amount", "successUrl", "failureUrl"), NastyText, (f, t) =>
            new Mutation($"{f} nasty", d => d.Edit(o => Set(o, f, t))))),
        (2, Gen.OneOf("-49.90", "49.901", "0", "0.00", "049.90", "4e1", "49,90", "100000000000.01", "1000000000000000000000").Select(a =>
            new Mutation($"amount '{a}'", d => d.Edit(o => { o["amount"] = a; o.Remove("items"); })))),
        (1, Gen.OneOf("paypal", "NEXT", "", "next ", "twisto\u0000").Select(p => new Mutation($"provider '{p}'", d => d.Edit(o => o["provider"] = p)))),
        (1, Gen.OneOf("chf", "XYZ", "", "CHFF", "EUR").Select(c => new Mutation($"currency '{c}'", d => d.Edit(o => o["currency"] = c)))),
        (1, Gen.OneOf("https://evil.example/done", "javascript:alert(1)", "/relative", "https://user:pw@shop.example/x", "ftp://shop.example/x", "https://shop.example/" + new string('a', 2100))
            .Select(u => new Mutation($"successUrl '{u[..Math.Min(u.Length, 30)]}'", d => d.Edit(o => o["successUrl"] = u)))),
        (1, Gen.Const(new Mutation("items not adding up", d => d.Edit(o => o["amount"] = "50.00")))),
        (2, ProviderOptionsPoison),
        (2, MetadataPoison),
        (1, Gen.OneOf("not-an-email", "a@b", "@b.ch", "a b@c.ch").Select(e => new Mutation($"email '{e}'", d => d.Edit(o => Set(o, "customer.email", e))))),
        (1, Gen.OneOf("fortnight", "", "DAY").Select(i => new Mutation($"interval '{i}'", d => d.Edit(o => o["subscription"] = new JsonObject { ["interval"] = i })))),
        (1, Gen.OneOf(0, 366, -5).Select(c => new Mutation($"intervalCount {c}", d => d.Edit(o => o["subscription"] = new JsonObject { ["interval"] = "month", ["intervalCount"] = c })))),
        (1, Nesting.Select(n => new Mutation($"nesting of {n.Length / 2} in customer", d => d.Edit(o => o["customer"] = Raw(n))))),
        (1, UnknownProperty("$", "customer", "items")));

    private static Gen<Mutation> RefundBodyPoison { get; } = Gen.Frequency<Mutation>(
        (3, HostileField("amount", "reason", "comment")),
        (2, Gen.OneOf("-1.00", "1.001", "0x1", "", "1e2", "99999999999999999999", "1,00").Select(a => new Mutation($"refund amount '{a}'", d => d.Edit(o => o["amount"] = a)))),
        (1, Gen.OneOf("because", "", "REQUESTED_BY_CUSTOMER").Select(r => new Mutation($"reason '{r}'", d => d.Edit(o => o["reason"] = r)))),
        (1, Gen.Int[256, 3000].Select(n => new Mutation($"comment of {n}", d => d.Edit(o => o["comment"] = new string('c', n))))),
        (1, ControlText.Select(t => new Mutation("comment with control characters or too long", d => d.Edit(o => o["comment"] = t)))),
        (1, UnknownProperty("$")));

    private static Gen<Mutation> RecurringPoison { get; } = Gen.Frequency<Mutation>(
        (2, HostileField("amount", "runAt")),
        (2, Gen.OneOf("2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "2025-07-01", "2025-07-01T08:00:00", "tomorrow", "2025-13-01T00:00:00Z", "2025-07-01T08:00:00+99:00", "", "9999-12-31T23:59:59.9999999-14:00")
            .Select(r => new Mutation($"runAt '{r}'", d => d.Edit(o => o["runAt"] = r)))),
        (1, Gen.OneOf("-5.00", "5.001", "0", "").Select(a => new Mutation($"amount '{a}'", d => d.Edit(o => o["amount"] = a)))),
        (1, Gen.Const(new Mutation("no amount", d => d.Edit(o => o.Remove("amount"))))),
        (1, Gen.Const(new Mutation("items not adding up", d => d.Edit(o => o["amount"] = "6.00")))));

    private static Gen<Mutation> CustomerBodyPoison { get; } = Gen.Frequency<Mutation>(
        (3, HostileField("firstName", "lastName", "email", "provider")),
        (2, Gen.Select(Gen.OneOf("firstName", "lastName"), Gen.OneOf<string>(ControlText, Gen.OneOf("", "   ")), (f, t) => new Mutation($"{f} with control characters, blank or too long", d => d.Edit(o => o[f] = t)))),
        (2, Gen.OneOf("not-an-email", "", "a@b", new string('a', 250) + "@b.ch").Select(e => new Mutation($"email '{e[..Math.Min(e.Length, 20)]}'", d => d.Edit(o => o["email"] = e)))),
        (2, Gen.OneOf("next", "twisto", "mangopay", "paypal", "", "NEUROPAY").Select(p => new Mutation($"provider '{p}'", d => d.Edit(o => o["provider"] = p)))),
        (2, MetadataEntryPoison),
        (1, Gen.Const(new Mutation("no names", d => d.Edit(o => { o.Remove("firstName"); o.Remove("lastName"); })))),
        (1, UnknownProperty("$")));

    private static Gen<Mutation> TokenPoison(string provider, string orderId, string token) => Gen.OneOf<Mutation>(
        Gen.Int[0, 200].Select(i => new Mutation("token with one character changed", d => d with { Target = $"/api/return/{provider}/{orderId}/{Flip(token, i)}" })),
        Gen.Int[1, 100].Select(n => new Mutation("token cut", d => d with { Target = $"/api/return/{provider}/{orderId}/{token[..Math.Max(1, token.Length - 1 - (n % (token.Length - 1)))]}" })),
        BadId.Select(t => new Mutation("token " + t, d => d with { Target = $"/api/return/{provider}/{orderId}/{t}" })),
        Gen.Int[1, 1500].Select(n => new Mutation($"token of {n}", d => d with { Target = $"/api/return/{provider}/{orderId}/{new string('t', n)}" })));

    private static string Flip(string token, int i)
    {
        var chars = token.ToCharArray();
        var at = i % chars.Length;
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    /// <summary>What the shopper's browser (or someone else) may post back: hostile <c>response</c> JSON, form junk.</summary>
    private static Gen<Mutation> ReturnFormPoison { get; } = Gen.Frequency<Mutation>(
        (3, Gen.Select(Gen.OneOf("number", "payment_status", "id", "metadata"), HostileScalar, (k, v) =>
            new Mutation($"response {k} = {v[..Math.Min(v.Length, 20)]}", d => d with { RawBody = Encoding.UTF8.GetBytes("response=" + Uri.EscapeDataString($"{{\"{k}\": {v}, \"payment_status\": \"paid\"}}")) }))),
        (2, NotAnObject.Select(b => new Mutation("response not an object", d => d with { RawBody = Encoding.UTF8.GetBytes("response=" + Uri.EscapeDataString(Encoding.UTF8.GetString(b))) }))),
        (2, Gen.OneOf("%", "%%", "=&=&", "response", "response=%ED%A0%80", "response=%FF%FE", "a=1&" + new string('&', 500), "response=" + new string('[', 5000), "\u0000", "response=%7B%22number%22%3A%2210001%22%2C%22payment_status%22%3A%22paid%22%7D")
            .Select(f => new Mutation("form " + f[..Math.Min(f.Length, 20)], d => d with { RawBody = Encoding.UTF8.GetBytes(f) }))),
        (1, Gen.Byte.Array[1, 400].Select(b => new Mutation("random bytes", d => d with { RawBody = b }))));

    // ---- Webhooks ----

    private static JsonObject Envelope() => new()
    {
        ["api_version"] = "2024-04-01",
        ["object"] = "order",
        ["event_id"] = "evt-1",
        ["event_type"] = "order.updated",
        ["data"] = new JsonObject { ["number"] = "99999991", ["metadata"] = new JsonObject { ["payments_order_id"] = "ord_0000000000000000000000000000000f" } },
        ["webhook"] = new JsonObject { ["id"] = 1 },
    };

    private static readonly string[] WebhookFields = ["event_type", "event_id", "api_version", "data", "number", "order", "metadata", "checkout_id", "order_id", "id", "external_id", "state", "status", "EventType", "RessourceId"];

    /// <summary>A body of the fields the webhook readers look at, with hostile values (and names), or no object at all.</summary>
    private static Gen<Mutation> HostileWebhookBody { get; } = Gen.Frequency<Mutation>(
        (4, Gen.Select(Gen.OneOf(WebhookFields).Array[1, 5], HostileScalar.Array[5], Gen.Bool, (keys, values, nest) => new Mutation(
            $"fields {string.Join(",", keys)} hostile", d =>
            {
                var inner = new JsonObject();
                for (var i = 0; i < keys.Length; i++)
                {
                    inner[keys[i]] = Raw(values[i]);
                }

                var body = nest ? new JsonObject { ["event_type"] = "order.updated", ["data"] = inner } : inner;
                return d with { Json = body, RawBody = null };
            }))),
        (2, Gen.OneOf(LoneSurrogates).Select(s => new Mutation("a name that is a lone surrogate", d => d with
        {
            Json = null,
            RawBody = Encoding.UTF8.GetBytes("{" + s + ": 1, \"event_type\": \"order.updated\", \"data\": {" + s + ": " + s + "}}"),
        }))),
        (2, NotAnObject.Select(b => new Mutation("not an object", d => d with { Json = null, RawBody = b }))),
        (1, Gen.Int[0, 7].Select(w => new Mutation("invalid UTF-8", d => d with { Json = new JsonObject { ["checkout_id"] = BadUtf8(w), ["data"] = new JsonObject { ["number"] = BadUtf8(w) } }, RawBody = null }))));

    private static Gen<Mutation> SignaturePoison { get; } = Gen.OneOf<Mutation>(
        Gen.Const(new Mutation("unsigned", d => d.WithoutHeader("X-29Next-Signature"))),
        Gen.Const(new Mutation("any 64-hex signature", d => d.WithHeader("X-29Next-Signature", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))))),
        Gen.OneOf("", "zz", "00", new string('0', 63), new string('g', 64), new string('0', 65), new string('f', 128)).Select(s =>
            new Mutation($"signature '{s[..Math.Min(s.Length, 10)]}'", d => d.WithHeader("X-29Next-Signature", s))),
        Gen.Int[1000, 6000].Select(n => new Mutation($"signature of {n}", d => d.WithHeader("X-29Next-Signature", new string('a', n)))),
        Gen.Const(new Mutation("signed with another secret", d => Sign(d, "another-secret"))));

    private static Draft Sign(Draft d, string secret = NextWebhooks.Secret)
    {
        var body = d.RawBody ?? (d.Json is null ? [] : Render(d.Json));
        return (d with { RawBody = body }).WithHeader("X-29Next-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
    }

    private static Gen<string> MangopayValue { get; } = Gen.OneOf<string>(
        Gen.OneOf("", "%ED%A0%80", "%FF", "%00", "PAYIN_NORMAL_SUCCEEDED%0A", "%2F..%2F", "99999999999999999999999", "-1", "1e400", "%3Cscript%3E", "wt_%23"),
        Gen.Int[100, 1500].Select(n => new string('r', n)),
        Gen.Char['!', '~'].Array[1, 40].Select(cs => Uri.EscapeDataString(new string(cs))));

    private static string SetQuery(string target, string key, string value)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var pairs = (question < 0 ? string.Empty : target[(question + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith(key + "=", StringComparison.Ordinal)).Append($"{key}={value}");
        return path + "?" + string.Join('&', pairs);
    }

    // ---- Contracts ----

    /// <summary>A 4xx problem: application/problem+json, a urn:payments:problem: type and the same status in the body.</summary>
    private static string? Problem(Answer a)
    {
        if (a.Status is < 400 or >= 500)
        {
            return $"status {a.Status}, not a 4xx";
        }

        if (a.ContentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return $"content type {a.ContentType ?? "(none)"}, not application/problem+json";
        }

        try
        {
            var problem = JsonNode.Parse(a.Body)!.AsObject();
            if (problem["type"]?.GetValue<string>() is not { } type || !type.StartsWith(Api.Problems.TypePrefix, StringComparison.Ordinal))
            {
                return "no urn:payments:problem: type";
            }

            return problem["status"]?.GetValue<int>() == a.Status ? null : "the body's status differs";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return "the body is not a problem object";
        }
    }

    /// <summary>ReturnApi: the shopper goes on with a 303 to the order's own page (it failed: failureUrl), or a 4xx problem.</summary>
    private static string? ReturnContract(Answer a) =>
        a.Status == 303
            ? (a.Location?.StartsWith(TestApp.Shop + "/checkout/failed?", StringComparison.Ordinal) == true ? null : $"303 to {a.Location}")
            : Problem(a);

    /// <summary>WebhooksApi: an acknowledgement that settles nothing (ignored, unknown_order), or a 4xx problem.</summary>
    private static string? WebhookContract(Answer a)
    {
        if (a.Status != 200)
        {
            return Problem(a);
        }

        var status = JsonNode.Parse(a.Body)?["status"]?.GetValue<string>();
        return status is "ignored" or "unknown_order" ? null : $"acknowledged as '{status}'";
    }
}
