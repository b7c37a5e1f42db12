using System.Globalization;
using CsCheck;
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
public sealed partial class BadInputPropertyTests(AzuriteFixture azurite, ITestOutputHelper output)
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
        var (failedId, _) = await NextOrders.FailedAsync(app);
        var report = new List<string>();

        var create = Baseline("POST", "/api/orders", OrderBodies.Next());
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
        var (failedId, _) = await NextOrders.FailedAsync(app);
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
        var (failedId, form) = await NextOrders.FailedAsync(app);
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
        await NextOrders.FailedAsync(app);
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

    // ---- Running ----

    private async Task<TestApp> StartAsync()
    {
        var settings = NextWebhooks.Settings();
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
        var before = await app.RowVersionsAsync();
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

        var after = await app.RowVersionsAsync();
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
