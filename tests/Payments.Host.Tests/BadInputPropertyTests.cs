using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Payments.Testing;
using Xunit.Abstractions;
using static Payments.Host.Tests.BadInputGen;

namespace Payments.Host.Tests;

/// <summary>
/// Property-based bad input over every HTTP endpoint (the function folders in src/Payments.Host/functions and the
/// Map* calls): each generated request carries at least one defect (body, path, headers or framing) and must be
/// answered with a 4xx <c>application/problem+json</c> (the shopper's return: a 303 to the order's page, or such a
/// problem; a webhook: an acknowledgement that changes nothing, or such a problem), and must write no row.
/// </summary>
/// <remarks>
/// <see cref="Iterations"/> inputs per endpoint (BAD_INPUT_ITERATIONS overrides; at least 1,000 in CI), one
/// <see cref="TestApp"/> per endpoint group. The counts are printed to the test output and appended to
/// <c>bad-input-counts.txt</c> next to the test assembly.
/// </remarks>
[Collection(AzuriteFixture.Collection)]
public sealed class BadInputPropertyTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    public const string ApiKey = "merchant-key-1";

    public static int Iterations { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("BAD_INPUT_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1000;

    /// <summary>Requests in flight at once: the app and Azurite do the work, the test mostly waits.</summary>
    private const int Threads = 4;

    private static readonly string ReportPath = Path.Combine(AppContext.BaseDirectory, "bad-input-counts.txt");
    private static readonly Lock ReportLock = new();

    private sealed record Answer(int Status, string? ContentType, string Body, string? Location);

    private delegate string? Contract(Answer answer);

    // ---- Groups: one app each ----

    [Fact]
    public async Task Orders_create_and_get_answer_every_bad_input_with_a_problem_and_write_nothing()
    {
        await using var app = await StartAsync();
        var (failedId, _) = await HostileInputTests.FailedNextOrderAsync(app);
        var report = new List<string>();

        var create = Baseline("POST", "/api/orders", NextPaymentFlowTests.OrderBody());
        await RunAsync(app, "POST /api/orders (CreateOrder)", Requests(create, Gen.Frequency<Mutation>(
            (8, CreateBodyPoison),
            (3, BrokenBody(64 * 1024)),
            (2, BadContentType),
            (1, WrongApiKey(ApiKey)),
            (1, BadKeyHeader),
            (2, BrokenChunking)), Noise), Problem, report);

        var get = Baseline("GET", "/api/orders/" + "ord_0000000000000000000000000000000f", null);
        await RunAsync(app, "GET /api/orders/{orderId} (GetOrder)", Requests(get, Gen.Frequency<Mutation>(
            (3, BadId.Select(id => new Mutation("order id " + id, d => d with { Target = "/api/orders/" + id }))),
            (2, MissingOrderId.Select(id => new Mutation("no such order", d => d with { Target = "/api/orders/" + id }))),
            (1, WrongApiKey(ApiKey).Select(m => new Mutation(m.Why + " (existing order)", d => m.Apply(d with { Target = "/api/orders/" + failedId }))))), Noise), Problem, report);

        Report(report);
    }

    [Fact]
    public async Task Order_operations_answer_every_bad_input_with_a_problem_and_write_nothing()
    {
        await using var app = await StartAsync();
        var (failedId, _) = await HostileInputTests.FailedNextOrderAsync(app);
        var report = new List<string>();

        Gen<Mutation> Ids(string suffix) => Gen.Frequency<Mutation>(
            (3, BadId.Select(id => new Mutation("order id " + id, d => d with { Target = $"/api/orders/{id}/{suffix}" }))),
            (2, MissingOrderId.Select(id => new Mutation("no such order", d => d with { Target = $"/api/orders/{id}/{suffix}" }))),
            (1, WrongApiKey(ApiKey)),
            (2, Gen.Const(new Mutation("the order failed", d => d))));

        foreach (var (name, suffix) in new[] { ("CaptureOrder", "capture"), ("CancelOrder", "cancel") })
        {
            // The body is not read: whatever it holds, only the path and the headers decide.
            var baseline = Baseline("POST", $"/api/orders/{failedId}/{suffix}", new JsonObject());
            await RunAsync(app, $"POST /api/orders/{{orderId}}/{suffix} ({name})", Requests(baseline, Ids(suffix), Gen.OneOf<Mutation>(Noise, BadContentType, HostileField("amount"))),
                Problem, report);
        }

        var refund = Baseline("POST", $"/api/orders/{failedId}/refunds", new JsonObject { ["amount"] = "1.00", ["reason"] = "requested_by_customer" });
        await RunAsync(app, "POST /api/orders/{orderId}/refunds (RefundOrder)", Requests(refund, Gen.Frequency<Mutation>(
            (4, Ids("refunds")),
            (4, RefundBodyPoison),
            (2, BrokenBody(64 * 1024)),
            (1, BadContentType),
            (1, BadKeyHeader),
            (2, BrokenChunking)), Noise), Problem, report);

        var upsell = Baseline("POST", $"/api/orders/{failedId}/upsells", new JsonObject { ["items"] = new JsonArray(Item()) });
        await RunAsync(app, "POST /api/orders/{orderId}/upsells (CreateUpsell)", Requests(upsell, Gen.Frequency<Mutation>(
            (3, Ids("upsells")),
            (5, ItemsPoison),
            (2, BrokenBody(64 * 1024)),
            (1, BadContentType),
            (1, BadKeyHeader),
            (2, BrokenChunking)), Noise), Problem, report);

        var recurring = Baseline("POST", $"/api/orders/{failedId}/recurring-charges", new JsonObject { ["amount"] = "5.00", ["items"] = new JsonArray(Item()) });
        await RunAsync(app, "POST /api/orders/{orderId}/recurring-charges (CreateRecurringCharge)", Requests(recurring, Gen.Frequency<Mutation>(
            (3, Ids("recurring-charges")),
            (3, ItemsPoison),
            (3, RecurringPoison),
            (2, BrokenBody(64 * 1024)),
            (1, BadContentType),
            (1, BadKeyHeader),
            (2, BrokenChunking)), Noise), Problem, report);

        Report(report);
    }

    [Fact]
    public async Task Customers_answer_every_bad_input_with_a_problem_and_write_nothing()
    {
        await using var app = await StartAsync();
        var report = new List<string>();

        var create = Baseline("POST", "/api/customers", new JsonObject { ["firstName"] = "Anna", ["lastName"] = "Muster", ["email"] = "anna@example.ch" });
        await RunAsync(app, "POST /api/customers (CreateCustomer)", Requests(create, Gen.Frequency<Mutation>(
            (6, CustomerBodyPoison),
            (3, BrokenBody(64 * 1024)),
            (2, BadContentType),
            (1, WrongApiKey(ApiKey)),
            (2, BrokenChunking)), Noise), Problem, report);

        foreach (var method in new[] { "GET", "DELETE" })
        {
            var one = Baseline(method, "/api/customers/cus_missing_1", null);
            await RunAsync(app, $"{method} /api/customers/{{customerId}} ({(method == "GET" ? "GetCustomer" : "DeleteCustomer")})", Requests(one, Gen.Frequency<Mutation>(
                (3, BadId.Select(id => new Mutation("customer id " + id, d => d with { Target = "/api/customers/" + id }))),
                (2, Gen.Char['a', 'z'].Array[1, 30].Select(cs => new Mutation("no such customer", d => d with { Target = "/api/customers/cus_" + new string(cs) }))),
                (2, Gen.OneOf("next", "twisto", "mangopay", "paypal", "%ED%A0%80", "NEUROPAY", "", "neuropay%00").Select(p =>
                    new Mutation("provider " + p, d => d with { Target = "/api/customers/cus_x?provider=" + p }))),
                (1, WrongApiKey(ApiKey))), Noise), Problem, report);
        }

        Report(report);
    }

    [Fact]
    public async Task Shopper_returns_for_every_provider_answer_every_bad_input_without_a_5xx_and_write_nothing()
    {
        await using var app = await StartAsync();
        var (failedId, form) = await HostileInputTests.FailedNextOrderAsync(app);
        var path = new Uri(form.Action).AbsolutePath; // /api/return/next/{orderId}/{token}
        var token = path.Split('/')[^1];
        var report = new List<string>();

        foreach (var provider in new[] { "next", "twisto", "mangopay", "neuropay" })
        {
            var target = $"/api/return/{provider}/{failedId}/{token}";
            var baseline = new Draft("POST", target, null, Encoding.UTF8.GetBytes("response=%7B%7D"), "application/x-www-form-urlencoded", [], null, string.Empty);
            var poison = Gen.Frequency<Mutation>(
                (2, Gen.Const(new Mutation(provider == "next" ? "a return for a failed order" : "another provider's return", d => d))),
                (2, TokenPoison(provider, failedId, token)),
                (2, BadId.Select(id => new Mutation("order id " + id, d => d with { Target = $"/api/return/{provider}/{id}/{token}" }))),
                (1, BadId.Select(p => new Mutation("provider " + p, d => d with { Target = $"/api/return/{p}/{failedId}/{token}" }))),
                (4, ReturnFormPoison),
                (1, Gen.Int[RequestBodyLimits.Callback + 1, RequestBodyLimits.Callback + 50_000].Select(n => new Mutation("a return of over 256 KiB",
                    d => d with { RawBody = Encoding.UTF8.GetBytes("response=" + new string('x', n)) }))),
                (1, BadContentType.Select(m => new Mutation(m.Why, d => m.Apply(d)))),
                (2, BrokenChunking),
                (1, Gen.OneOf("GET", "PUT", "DELETE", "PATCH").Select(m => new Mutation("method " + m, d => d with { Method = m, RawBody = m == "GET" ? null : d.RawBody }))));
            await RunAsync(app, $"GET|POST /api/return/{provider}/{{orderId}}/{{token}} (ShopperReturn)", Requests(baseline, poison, Noise), ReturnContract, report);
        }

        Report(report);
    }

    [Fact]
    public async Task Provider_webhooks_for_every_provider_answer_every_bad_input_without_a_5xx_and_write_nothing()
    {
        await using var app = await StartAsync();
        await HostileInputTests.FailedNextOrderAsync(app);
        var report = new List<string>();

        var next = new Draft("POST", "/api/webhooks/next", Envelope(), null, "application/json", [], null, string.Empty);
        await RunAsync(app, "GET|POST /api/webhooks/next (ProviderWebhook)", Requests(next, Gen.Frequency<Mutation>(
            (4, SignaturePoison),
            (4, Gen.Select(HostileWebhookBody, SignaturePoison, (body, sig) => new Mutation("hostile body, " + sig.Why, d => sig.Apply(body.Apply(d))))),
            (3, HostileWebhookBody.Select(body => new Mutation("signed " + body.Why, d => Sign(body.Apply(d))))),
            (1, Gen.Const(new Mutation("GET", d => d with { Method = "GET", Json = null, RawBody = null }))),
            (1, BrokenChunking)), Noise), WebhookContract, report);

        var twisto = new Draft("POST", "/api/webhooks/twisto", new JsonObject { ["checkout_id"] = "chk_not_ours", ["state"] = "completed" }, null, "application/json", [], null, string.Empty);
        await RunAsync(app, "GET|POST /api/webhooks/twisto (ProviderWebhook)", Requests(twisto, Gen.Frequency<Mutation>(
            (5, HostileWebhookBody),
            (2, Gen.Select(Gen.OneOf("checkout_id", "order_id", "id", "external_id", "state"), Gen.OneOf("%ED%A0%80", "%FF", "a%00b", "%2F", "x&y", "=", "%"), (k, v) =>
                new Mutation($"form {k}={v}", d => d with { Json = null, RawBody = Encoding.UTF8.GetBytes($"{k}={v}&state=completed"), ContentType = "application/x-www-form-urlencoded" }))),
            (1, Gen.Int[64 * 1024, 300 * 1024].Select(n => new Mutation($"{n} byte body", d => d with { Json = null, RawBody = Encoding.UTF8.GetBytes("{\"checkout_id\":\"" + new string('c', n) + "\"}") }))),
            (1, Gen.Const(new Mutation("GET", d => d with { Method = "GET", Json = null, RawBody = null }))),
            (1, BrokenChunking)), Noise), WebhookContract, report);

        var mangopay = new Draft("GET", "/api/webhooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId=wt_not_ours&Date=1718010000", null, null, null, [], null, string.Empty);
        await RunAsync(app, "GET|POST /api/webhooks/mangopay (ProviderWebhook)", Requests(mangopay, Gen.Frequency<Mutation>(
            (5, Gen.Select(Gen.OneOf("EventType", "RessourceId", "Date"), MangopayValue, (k, v) => new Mutation($"{k}={v}", d => d with { Target = SetQuery(d.Target, k, v) }))),
            (1, Gen.Const(new Mutation("no query", d => d with { Target = "/api/webhooks/mangopay" }))),
            (2, HostileWebhookBody.Select(b => new Mutation("POST " + b.Why, d => b.Apply(d with { Method = "POST", Json = new JsonObject(), ContentType = "application/json" })))),
            (1, BrokenChunking.Select(c => new Mutation(c.Why, d => c.Apply(d with { Method = "POST", RawBody = "{}"u8.ToArray(), ContentType = "application/json" }))))), Noise), WebhookContract, report);

        var neuropay = new Draft("POST", "/api/webhooks/neuropay", new JsonObject { ["id"] = "chk_1" }, null, "application/json", [], null, string.Empty);
        await RunAsync(app, "GET|POST /api/webhooks/neuropay (ProviderWebhook; Neuro-Pay has none)", Requests(neuropay, Gen.Frequency<Mutation>(
            (4, HostileWebhookBody),
            (1, Gen.Const(new Mutation("GET", d => d with { Method = "GET", Json = null }))),
            (1, BrokenChunking)), Noise), WebhookContract, report);

        Report(report);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_under_api_are_problems_whatever_the_Accept()
    {
        await using var app = await StartAsync();
        var report = new List<string>();
        var routes = Gen.Frequency<(string Method, string Path)>(
            (3, Gen.Select(Gen.OneOf("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"), Gen.Char['a', 'z'].Array[1, 20],
                (m, cs) => (m, "/api/zz" + new string(cs)))),
            (3, Gen.Select(Gen.OneOf("GET", "POST", "PUT", "DELETE", "PATCH"), Gen.OneOf(
                "/api/orders/ord_0000000000000000000000000000000f/capture/x", "/api/orders/x/y/z", "/api/customers/x/y", "/api/webhooks/next/x",
                "/api/return/next/x", "/api/return/next/a/b/c/d", "/api/health/x", "/api/", "/api/orders/ord_0000000000000000000000000000000f/refunds/1"),
                (m, p) => (m, p))),
            (3, Gen.OneOf(
                ("DELETE", "/api/orders"), ("PUT", "/api/orders"), ("GET", "/api/orders"), ("PATCH", "/api/orders"),
                ("PUT", "/api/orders/ord_0000000000000000000000000000000f"), ("DELETE", "/api/orders/ord_0000000000000000000000000000000f"),
                ("GET", "/api/orders/ord_0000000000000000000000000000000f/capture"), ("GET", "/api/orders/ord_0000000000000000000000000000000f/refunds"),
                ("PUT", "/api/webhooks/next"), ("DELETE", "/api/webhooks/twisto"), ("PUT", "/api/return/next/a/b"), ("POST", "/api/health"),
                ("GET", "/api/customers"), ("PUT", "/api/customers/cus_1"), ("POST", "/api/customers/cus_1"))));
        var gen = Gen.Select(routes, Gen.OneOf(AcceptHeaders), Noise.Array[0, 2], (route, accept, noise) =>
        {
            var draft = new Draft(route.Method, route.Path, null, null, null, [("X-Api-Key", ApiKey), ("Accept", accept)], null, $"{route.Method} {route.Path} Accept: {accept}");
            foreach (var m in noise)
            {
                draft = m.Apply(draft);
            }

            return draft.WithHeader("Accept", accept).ToProbe();
        });
        await RunAsync(app, "unknown routes and methods under /api", gen, Problem, report);
        Report(report);
    }

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

    private static Draft Sign(Draft d, string secret = HostileInputTests.NextWebhookSecret)
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

    // ---- Running ----

    private async Task<TestApp> StartAsync()
    {
        var settings = HostileInputTests.Settings();
        settings["Api:Keys:0"] = ApiKey;
        settings["Logging:LogLevel:Default"] = "None";
        var app = await TestApp.StartAsync(azurite, settings);
        app.Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return app;
    }

    private static Draft Baseline(string method, string target, JsonObject? json) =>
        new(method, target, json, null, json is null ? null : "application/json", [("X-Api-Key", ApiKey)], null, string.Empty);

    private async Task RunAsync(TestApp app, string endpoint, Gen<Probe> gen, Contract contract, List<string> report)
    {
        var before = await HostileInputTests.SnapshotAsync(app);
        var statuses = new ConcurrentDictionary<int, int>();
        var inputs = 0;
        using var client = new HttpClient(new Payments.Host.Tests.Contract.ContractRecorder(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })) { BaseAddress = new Uri(app.BaseUrl) };

        await gen.SampleAsync(async probe =>
        {
            var answer = await SendAsync(app, client, probe);
            Interlocked.Increment(ref inputs);
            statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            if (contract(answer) is { } wrong)
            {
                throw new Xunit.Sdk.XunitException($"{endpoint}: {wrong}. Answer: {answer.Status} {answer.ContentType} {Cut(answer.Body)}");
            }
        }, iter: Iterations, threads: Threads, print: p => p.ToString());

        var after = await HostileInputTests.SnapshotAsync(app);
        var written = after.Count(kv => !before.TryGetValue(kv.Key, out var etag) || etag != kv.Value) + before.Keys.Count(k => !after.ContainsKey(k));
        var fiveHundreds = statuses.Where(s => s.Key >= 500).Sum(s => s.Value);
        report.Add($"{endpoint}: {inputs} inputs; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; "
            + $"5xx seen: {fiveHundreds}; rows written by rejected requests: {written}");
        Assert.True(inputs >= Iterations, $"{endpoint}: only {inputs} inputs");
        Assert.Equal(0, fiveHundreds);
        Assert.Equal(0, written);
    }

    private static async Task<Answer> SendAsync(TestApp app, HttpClient client, Probe p)
    {
        if (p.Chunking is { } size)
        {
            var headers = p.Headers.Where(h => !h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToList();
            if (p.ContentType is not null)
            {
                headers.Add(("Content-Type", p.ContentType));
            }

            headers.Add(("Transfer-Encoding", "chunked"));
            byte[] framed = [.. Encoding.ASCII.GetBytes(size + "\r\n"), .. p.Body ?? [], .. "\r\n0\r\n\r\n"u8];
            var raw = await RawHttp.SendAsync(app.BaseUrl, p.Method, p.Target, headers, framed);
            return new Answer(raw.Status, raw.ContentType, raw.Body, raw.Location);
        }

        using var request = new HttpRequestMessage(new HttpMethod(p.Method), new Uri(p.Target, UriKind.Relative));
        if (p.Method != "GET" && (p.Body is not null || p.ContentType is not null))
        {
            request.Content = new ByteArrayContent(p.Body ?? []);
            if (p.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", p.ContentType);
            }
        }

        foreach (var (name, value) in p.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync(),
            response.Headers.Location?.OriginalString);
    }

    private void Report(List<string> lines)
    {
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        lock (ReportLock)
        {
            File.AppendAllLines(ReportPath, lines.Select(l => $"{DateTimeOffset.UtcNow:O} {l}"));
        }
    }

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>The body limits, as the tests need them.</summary>
internal static class RequestBodyLimits
{
    public const int Callback = Api.RequestBody.MaxCallbackBodyBytes;
}
