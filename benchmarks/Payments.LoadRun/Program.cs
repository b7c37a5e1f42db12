using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Payments.Testing.Html;

// A bounded load run against a local instance (scripts/load-run.sh and scripts/callback-bench.sh start one).
// --mode payments (default): whole TWINT payments, create → hosted page → Pay → shopper return (303) → read the order.
// --mode callbacks: the callback path alone — --orders NEXT orders are created and paid at the sandbox first (not
// timed), then only their shoppers' returns are sent, --concurrency at a time, and timed (returns/s, percentiles).
// Only loopback targets are allowed; the run stops by itself after --orders payments.
var baseUrl = Arg("--base-url", "http://localhost:7071").TrimEnd('/');
var mode = Arg("--mode", "payments");
var orders = int.Parse(Arg("--orders", "200"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(Arg("--concurrency", "16"), CultureInfo.InvariantCulture);
var target = new Uri(baseUrl);
if (!(target.IsLoopback || target.Host == "localhost"))
{
    Console.Error.WriteLine("Refusing a non-loopback target: load runs only go to this machine.");
    return 2;
}

using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = concurrency })
{
    BaseAddress = target,
    Timeout = TimeSpan.FromSeconds(30),
};
var timings = new ConcurrentDictionary<string, ConcurrentBag<double>>();
var failures = new ConcurrentBag<string>();
var runId = Guid.NewGuid().ToString("N")[..8];

async Task<T> Timed<T>(string step, Func<Task<T>> work)
{
    var watch = Stopwatch.StartNew();
    var result = await work();
    timings.GetOrAdd(step, _ => []).Add(watch.Elapsed.TotalMilliseconds);
    return result;
}

async Task PayOnceAsync(int n)
{
    if (await PrepareAsync(n) is not { Back: { } back } prepared || !await ReturnAsync(back))
    {
        return;
    }

    var read = await Timed("read order", () => client.GetFromJsonAsync<JsonObject>($"/api/orders/{prepared.OrderId}"));
    if (read!["status"]!.GetValue<string>() is var status && status != "succeeded")
    {
        failures.Add("read " + status);
    }
}

// Create and pay at the sandbox; the shopper's return form, not yet sent.
async Task<(string OrderId, HtmlForm? Back)?> PrepareAsync(int n)
{
    var body = new JsonObject
    {
        ["provider"] = "next",
        ["merchantReference"] = $"LOAD-{runId}-{n}",
        ["amount"] = "49.90",
        ["currency"] = "CHF",
        ["items"] = new JsonArray(new JsonObject { ["name"] = "Mug", ["sku"] = "101", ["quantity"] = 2, ["unitPrice"] = "24.95" }),
        ["successUrl"] = "https://shop.example/checkout/done",
        ["failureUrl"] = "https://shop.example/checkout/failed",
    };
    var created = await Timed("create", () => client.PostAsJsonAsync("/api/orders", body));
    if (created.StatusCode != HttpStatusCode.Created)
    {
        failures.Add($"create {(int)created.StatusCode}");
        return null;
    }

    var order = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
    var redirect = order["redirectUrl"]!.GetValue<string>();
    var page = await Timed("payment page", () => client.GetStringAsync(redirect));
    var form = HtmlForms.Parse(page).Single(f => f.Buttons.Any(b => b.Value == "pay"));
    var button = form.Buttons.Single(b => b.Value == "pay");
    var action = string.IsNullOrEmpty(form.Action) ? new Uri(redirect) : new Uri(new Uri(redirect), form.Action);
    var decided = await Timed("sandbox pay", () => client.PostAsync(action, new FormUrlEncodedContent(form.Inputs.Append(new(button.Name, button.Value)))));
    var back = HtmlForms.Parse(await decided.Content.ReadAsStringAsync()).Single();
    return (order["orderId"]!.GetValue<string>(), back);
}

async Task<bool> ReturnAsync(HtmlForm back)
{
    var returned = await Timed("shopper return", () => client.PostAsync(back.Action, new FormUrlEncodedContent(back.Inputs)));
    if (returned.StatusCode != HttpStatusCode.SeeOther || returned.Headers.Location?.Query.Contains("status=succeeded", StringComparison.Ordinal) != true)
    {
        failures.Add($"return {(int)returned.StatusCode} {returned.Headers.Location}");
        return false;
    }

    return true;
}

async Task RunAsync(int count, Func<int, Task> work)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int n;
        while ((n = Interlocked.Increment(ref next)) < count)
        {
            try
            {
                await work(n);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                failures.Add(ex.GetType().Name);
            }
        }
    }));
}

if (mode == "callbacks")
{
    var prepared = new ConcurrentBag<HtmlForm>();
    await RunAsync(orders, async n =>
    {
        if (await PrepareAsync(n) is { Back: { } back })
        {
            prepared.Add(back);
        }
    });
    timings.Clear();
    var forms = prepared.ToArray();
    var watch = Stopwatch.StartNew();
    await RunAsync(forms.Length, n => ReturnAsync(forms[n]));
    watch.Stop();
    var returns = timings.TryGetValue("shopper return", out var r) ? r.Order().ToArray() : [];
    double Q(double q) => returns.Length == 0 ? 0 : returns[Math.Min(returns.Length - 1, (int)Math.Ceiling(q * returns.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"callbacks: {returns.Length} returns of paid NEXT orders, {concurrency} at a time: {returns.Length / watch.Elapsed.TotalSeconds:F1} returns/s, p50 {Q(0.5):F1} ms, p95 {Q(0.95):F1} ms, {failures.Count} failed"));
    return failures.IsEmpty ? 0 : 1;
}

Console.WriteLine($"Load run: {orders} TWINT payments via NEXT sandbox, {concurrency} at a time, against {baseUrl}");
var total = Stopwatch.StartNew();
await RunAsync(orders, PayOnceAsync);
total.Stop();

Console.WriteLine($"{"step",-16} {"count",6} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}");
foreach (var step in new[] { "create", "payment page", "sandbox pay", "shopper return", "read order" })
{
    if (!timings.TryGetValue(step, out var bag) || bag.IsEmpty)
    {
        continue;
    }

    var sorted = bag.Order().ToArray();
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,-16} {sorted.Length,6} {P(0.50),8:F1} {P(0.95),8:F1} {P(0.99),8:F1} {sorted[^1],8:F1}"));
}

var completed = orders - failures.Count;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"payments: {completed} succeeded, {failures.Count} failed in {total.Elapsed.TotalSeconds:F1} s ({completed / total.Elapsed.TotalSeconds:F1} payments/s)"));
foreach (var group in failures.GroupBy(f => f).Take(5))
{
    Console.WriteLine($"  failure x{group.Count()}: {group.Key}");
}

return failures.IsEmpty ? 0 : 1;

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
