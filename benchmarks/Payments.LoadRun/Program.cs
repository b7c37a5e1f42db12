using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Payments.Storage.Tables;
using Payments.Testing.Html;

// A bounded load run against a local instance (scripts/load-run.sh and scripts/bench-callbacks.sh start one).
// --mode payments (default): whole TWINT payments, create → hosted page → Pay → shopper return (303) → read the order.
// --mode callbacks: the callback path alone — --orders NEXT orders are created and paid at the sandbox first (not
// timed), then only their shoppers' returns are sent, --concurrency at a time, and timed (returns/s, percentiles).
// When the app counts its storage round trips (Diagnostics:StorageRoundTrips), prints them per create and per return.
// --mode baseline: the raw store doing what a callback truly needs, through the SDK the app uses (Azure.Data.Tables):
// per callback 1 point read + 1 two-row entity-group transaction (order row replaced with its ETag, one outbox row
// added), --orders of them --concurrency at a time, against --connection-string (a loopback Azurite). In --table (an
// existing table, e.g. the app's orders table: its rows go in partitions of their own and are deleted afterwards) or,
// without it, in a fresh table deleted afterwards. Azurite's cost per write grows with the rows of the table (LokiJS scans a table's
// index linearly on every update), so a fair baseline shares the app's table. --prefill N first adds N small rows.
// --mode startup: starts --exe once and prints the milliseconds from process start to the first 200 of --url, then
// stops that process (bench-startup.sh).
// --cpu "app=PID azurite=PID": also prints the CPU milliseconds each named process (and the load tool itself) spent
// per timed operation, read from the processes' own counters around the timed phase: where the time goes.
// --ready FILE --go FILE (callbacks, baseline): after preparing, creates the ready file, then waits for the go file
// before timing (a benchmark prepares the runs of a pair first, then times them back to back).
// --after-save FILE (callbacks, baseline): the timed phase starts right after FILE, Azurite's database file, is written
// anew (at most 7 s of waiting). A disk-backed Azurite serializes its whole database every 5 s, stalling every request
// for as long as that takes (up to a second once the benchmark's data has grown); started right after a save, a timed
// run of a few hundred operations meets none, whichever arm it is. Azure Table Storage has no such stall.
// Only loopback targets are allowed; every run stops by itself.
var mode = Arg("--mode", "payments");
var orders = int.Parse(Arg("--orders", "200"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(Arg("--concurrency", "16"), CultureInfo.InvariantCulture);
var runId = Guid.NewGuid().ToString("N")[..8];
var failures = new ConcurrentBag<string>();
var cpuProcesses = Arg("--cpu", "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
    .Select(p => p.Split('='))
    .Select(p => (Name: p[0], Process: Process.GetProcessById(int.Parse(p[1], CultureInfo.InvariantCulture))))
    .Append((Name: "load tool", Process: Process.GetCurrentProcess()))
    .ToArray();
if (mode == "startup")
{
    return await StartupAsync(Arg("--exe", ""), new Uri(Arg("--url", "http://127.0.0.1:7071/")));
}

if (mode == "baseline")
{
    return await BaselineAsync(Arg("--connection-string", ""));
}

var baseUrl = Arg("--base-url", "http://localhost:7071").TrimEnd('/');
var target = new Uri(baseUrl);
if (!IsLoopback(target))
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
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or RequestFailedException)
            {
                failures.Add(ex.GetType().Name);
            }
        }
    }));
}

if (mode == "callbacks")
{
    var prepared = new ConcurrentBag<HtmlForm>();
    var beforePrepare = await RoundTripsAsync();
    await RunAsync(orders, async n =>
    {
        if (await PrepareAsync(n) is { Back: { } back })
        {
            prepared.Add(back);
        }
    });
    var afterPrepare = await RoundTripsAsync();
    timings.Clear();
    var forms = prepared.ToArray();
    await StartSignalAsync();
    await AfterStoreSaveAsync();
    var cpu = CpuNow();
    var watch = Stopwatch.StartNew();
    await RunAsync(forms.Length, n => ReturnAsync(forms[n]));
    watch.Stop();
    var cpuLine = CpuPer(cpu, forms.Length, "return");
    var afterReturns = await RoundTripsAsync();
    ReportFailures(Console.Error);

    var returns = timings.TryGetValue("shopper return", out var r) ? r.Order().ToArray() : [];
    double Q(double q) => returns.Length == 0 ? 0 : returns[Math.Min(returns.Length - 1, (int)Math.Ceiling(q * returns.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"callbacks: {returns.Length} returns of paid NEXT orders, {concurrency} at a time: {returns.Length / watch.Elapsed.TotalSeconds:F1} returns/s, p50 {Q(0.5):F1} ms, p95 {Q(0.95):F1} ms, {failures.Count} failed"));
    Console.WriteLine(cpuLine);
    if (beforePrepare is not null && afterPrepare is not null && afterReturns is not null)
    {
        var (createBefore, createTotal) = PerScope(beforePrepare, afterPrepare, "CreateOrder");
        var (returnBefore, returnTotal) = PerScope(afterPrepare, afterReturns, "ShopperReturn");
        // Requests outside any request's scope while only returns ran: the batched records of what was published
        // (OutboxSentLog, outside any request's execution context) and any timer sweep.
        var background = (double)(afterReturns.Unattributed - afterPrepare.Unattributed) / Math.Max(1, forms.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"storage round trips: per return {returnBefore:F2} before the 303, {returnTotal:F2} in all, plus {background:F2} in the background (records of what was published, sweeps); per create {createBefore:F2} before the 201, {createTotal:F2} in all"));
    }
    else
    {
        Console.WriteLine("storage round trips: not counted (start the app with Diagnostics__StorageRoundTrips=true)");
    }

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
ReportFailures(Console.Out);
return failures.IsEmpty ? 0 : 1;

// The five most common failures, with their counts.
void ReportFailures(TextWriter to)
{
    foreach (var (failure, count) in failures.CountBy(f => f).Take(5))
    {
        to.WriteLine($"  failure x{count}: {failure}");
    }
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

// --ready FILE --go FILE (callbacks, baseline): once prepared, creates the ready file and waits (at most 10 min) for the go
// file, so that a benchmark can prepare every run of a pair first and then time them one right after the other.
async Task StartSignalAsync()
{
    var (ready, go) = (Arg("--ready", ""), Arg("--go", ""));
    if (ready.Length > 0)
    {
        await File.WriteAllTextAsync(ready, "prepared");
    }

    var waited = Stopwatch.StartNew();
    while (go.Length > 0 && !File.Exists(go) && waited.Elapsed < TimeSpan.FromMinutes(10))
    {
        await Task.Delay(20);
    }
}

async Task AfterStoreSaveAsync()
{
    var file = Arg("--after-save", "");
    if (file.Length == 0)
    {
        return;
    }

    var saved = File.GetLastWriteTimeUtc(file);
    var waited = Stopwatch.StartNew();
    while (File.GetLastWriteTimeUtc(file) == saved)
    {
        if (waited.Elapsed > TimeSpan.FromSeconds(7))
        {
            Console.Error.WriteLine($"{file} was not saved within 7 s; timing anyway.");
            return;
        }

        await Task.Delay(5);
    }
}

// The CPU time of each --cpu process (and this one) now.
TimeSpan[] CpuNow() => cpuProcesses.Select(p =>
{
    p.Process.Refresh();
    return p.Process.TotalProcessorTime;
}).ToArray();

// "cpu per return: app 1.20 ms, azurite 0.80 ms, load tool 0.30 ms": the CPU each process spent since `from`, per operation.
string CpuPer(TimeSpan[] from, int operations, string what)
{
    var now = CpuNow();
    return $"cpu per {what}: " + string.Join(", ", cpuProcesses.Select((p, i) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Name} {(now[i] - from[i]).TotalMilliseconds / Math.Max(1, operations):F2} ms")));
}

static bool IsLoopback(Uri uri) => uri.IsLoopback || uri.Host == "localhost";

// The app's storage round-trip counts (null when it does not count them), read once background work has settled:
// the totals must stay the same for a moment (at most 5 s of waiting).
async Task<RoundTripSnapshot?> RoundTripsAsync()
{
    RoundTripSnapshot? last = null;
    for (var i = 0; i < 50; i++)
    {
        using var response = await client.GetAsync("/diagnostics/storage-round-trips");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var snapshot = (await response.Content.ReadFromJsonAsync<RoundTripSnapshot>(JsonSerializerOptions.Web))!;
        if (last is not null && snapshot.Kinds.Values.Sum(k => k.Total) == last.Kinds.Values.Sum(k => k.Total))
        {
            return snapshot;
        }

        last = snapshot;
        await Task.Delay(100);
    }

    return last;
}

// Storage requests per request of one endpoint between two snapshots: before its response, and in all.
static (double BeforeResponse, double Total) PerScope(RoundTripSnapshot from, RoundTripSnapshot to, string kind)
{
    var empty = new RoundTripCounts(0, 0, 0, 0);
    var a = from.Kinds.GetValueOrDefault(kind, empty);
    var b = to.Kinds.GetValueOrDefault(kind, empty);
    var responded = b.Responded - a.Responded;
    var scopes = b.Scopes - a.Scopes;
    return (responded == 0 ? 0 : (double)(b.BeforeResponse - a.BeforeResponse) / responded, scopes == 0 ? 0 : (double)(b.Total - a.Total) / scopes);
}

// The raw store baseline: what one callback must do at the least, through the same SDK and client options as the app.
async Task<int> BaselineAsync(string connectionString)
{
    var service = TableStorageClients.Create(new TableStorageOptions { ConnectionString = connectionString });
    if (!IsLoopback(service.Uri))
    {
        Console.Error.WriteLine("Refusing a non-loopback storage endpoint: the baseline only runs against a local Azurite.");
        return 2;
    }

    var sharedTable = Arg("--table", "");
    var table = service.GetTableClient(sharedTable.Length > 0 ? sharedTable : "baseline" + runId);
    if (sharedTable.Length == 0)
    {
        await table.CreateIfNotExistsAsync();
    }

    // Rows of the app's shape and about its size (Azurite's work grows with the properties of a row, not only its bytes):
    // an order row with the app's query columns and its JSON document, an outbox row with its event. No app query finds
    // them: their status is no order status, their event rows are not pending and their keys not the outbox's.
    var document = new string('x', 1800);
    var eventBody = new string('e', 900);
    string Partition(int n) => $"bench_{runId}_{n}";
    TableEntity OrderRow(int n) => new(Partition(n), "order")
    {
        ["Status"] = "bench-prepared", ["Provider"] = "next", ["MerchantReference"] = $"BENCH-{runId}-{n}", ["AmountMinor"] = 4990L,
        ["Currency"] = "CHF", ["ProviderReference"] = (100000 + n).ToString(CultureInfo.InvariantCulture), ["CreatedAt"] = DateTime.UtcNow,
        ["UpdatedAt"] = DateTime.UtcNow, ["AwaitingSession"] = false, ["DocParts"] = 1, ["Doc0"] = document,
    };
    TableEntity EventRow(int n) => new(Partition(n), "evt_" + n.ToString(CultureInfo.InvariantCulture))
    {
        ["EventId"] = $"evt_{runId}_{n}", ["Type"] = "order.status_changed", ["OccurredAt"] = DateTime.UtcNow, ["Event"] = eventBody, ["Pending"] = false,
    };
    // Warm-up rows (after --orders) get one untimed round first, so this fresh process's first calls are not timed.
    var warmUp = concurrency;
    var prefill = int.Parse(Arg("--prefill", "0"), CultureInfo.InvariantCulture);
    var fillTransactions = (prefill + TableRows.MaxTransactionActions - 1) / TableRows.MaxTransactionActions;
    IEnumerable<TableEntity> FillRows(int n) => Enumerable.Range(0, Math.Min(TableRows.MaxTransactionActions, prefill - (n * TableRows.MaxTransactionActions)))
        .Select(k => new TableEntity($"bench_fill_{runId}_{n}", "r" + k.ToString(CultureInfo.InvariantCulture)) { ["State"] = "pending" });
    try
    {
        await RunAsync(fillTransactions, n => table.SubmitTransactionAsync(FillRows(n).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row))));
        await RunAsync(orders + warmUp, n => table.AddEntityAsync(OrderRow(n)));
        var latencies = new ConcurrentBag<double>();
        async Task Callback(int n)
        {
            var order = (await table.GetEntityAsync<TableEntity>(Partition(n), "order")).Value;
            order["Status"] = "bench-settled";
            order["UpdatedAt"] = DateTime.UtcNow;
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, order, order.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, EventRow(n)),
            ]);
        }

        await RunAsync(warmUp, n => Callback(orders + n));
        await StartSignalAsync();
        await AfterStoreSaveAsync();
        var cpu = CpuNow();
        var watch = Stopwatch.StartNew();
        await RunAsync(orders, async n =>
        {
            var started = Stopwatch.GetTimestamp();
            await Callback(n);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        });
        watch.Stop();
        Console.WriteLine(CpuPer(cpu, orders, "callback"));
        var sorted = latencies.Order().ToArray();
        double Q(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline: {sorted.Length} callbacks of the raw store (1 point read + 1 two-row transaction), {concurrency} at a time: {sorted.Length / watch.Elapsed.TotalSeconds:F1} ops/s, p50 {Q(0.5):F1} ms, p95 {Q(0.95):F1} ms, {failures.Count} failed"));
        return failures.IsEmpty ? 0 : 1;
    }
    finally
    {
        if (sharedTable.Length == 0)
        {
            await table.DeleteAsync();
        }
        else
        {
            // Its rows leave the shared table (untimed), so the database that Azurite saves every 5 s grows by the app's
            // rows only.
            await RunAsync(orders + warmUp, n => table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Delete, OrderRow(n), ETag.All),
                new TableTransactionAction(TableTransactionActionType.Delete, EventRow(n), ETag.All),
            ]));
            await RunAsync(fillTransactions, n => table.SubmitTransactionAsync(
                FillRows(n).Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All))));
        }
    }
}

// One start: the milliseconds from starting the process to its first 200 at the URL (polled every 5 ms, at most 60 s).
async Task<int> StartupAsync(string exe, Uri url)
{
    if (!IsLoopback(url) || !File.Exists(exe))
    {
        Console.Error.WriteLine("--exe must be an executable and --url a loopback URL.");
        return 2;
    }

    using var probe = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
    async Task<bool> Answers200()
    {
        try
        {
            using var response = await probe.GetAsync(url);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    // The probe's own first-call cost is paid before the clock starts; nothing may answer yet.
    if (await Answers200())
    {
        Console.Error.WriteLine($"Something already answers at {url}.");
        return 2;
    }

    var watch = Stopwatch.StartNew();
    // In the app's own folder, as the Functions host starts a custom handler (in the function app's root): the working
    // directory is ASP.NET Core's content root, which the default configuration watches, so it must not be this repository.
    using var process = Process.Start(new ProcessStartInfo(exe)
    {
        UseShellExecute = false,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(exe))!,
    })!;
    var output = new ConcurrentQueue<string>();
    process.OutputDataReceived += (_, e) =>
    {
        // The last lines, shown when the app never answers (its console log goes to stdout).
        if (e.Data is not null)
        {
            output.Enqueue(e.Data);
            while (output.Count > 30 && output.TryDequeue(out string? _))
            {
            }
        }
    };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(e.Data); } };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    try
    {
        while (!await Answers200())
        {
            if (process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                Console.Error.WriteLine($"{exe} never answered 200 at {url}{(process.HasExited ? $" (exited with {process.ExitCode})" : "")}; its last output:");
                Console.Error.WriteLine(string.Join(Environment.NewLine, output));
                return 1;
            }

            await Task.Delay(5);
        }

        var elapsed = watch.Elapsed;
        process.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"startup: {elapsed.TotalMilliseconds:F0} ms to the first 200 of {url}, {process.TotalProcessorTime.TotalMilliseconds:F0} ms of CPU"));
        return 0;
    }
    finally
    {
        // Only the process this run started, by its handle.
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
    }
}
