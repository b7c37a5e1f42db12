using Payments.Host.Hosting;
using Xunit.Abstractions;

namespace Payments.Host.Tests;

/// <summary>
/// The fault suite of issue 8 (part 3 and 4): NEXT payments (create → sandbox pay → return → read), several at once,
/// while Table Storage goes away for a few seconds (Azurite stopped with SIGINT, started again on the same port and
/// folder). No answer is ever a 500; every 503 carries Retry-After; a shopper who paid and came back during the outage
/// gets the retry page and, following it once, the 303 to successUrl; every payment the sandbox took ends
/// <c>succeeded</c>; no create stays in progress past the takeover age (the app's clock is moved, nothing waits 2 minutes).
/// </summary>
public sealed class StorageOutageFaultSuite(ITestOutputHelper output)
{
    private const int Flows = 60;
    private const int Concurrency = 8;
    private const int OutageAfterFlows = 20;
    private const int HeldReturns = 5;
    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private const int MaxAttempts = 150;

    /// <summary>Every answer the suite got, by step and status.</summary>
    private sealed class Tally
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int RetryPages;
        public int Unavailable;
        public int ServerErrors;
        public int Paid;
        public int CutOffCreates;

        public void Count(string step, HttpResponseMessage response)
        {
            _counts.AddOrUpdate($"{step} {(int)response.StatusCode}", 1, (_, n) => n + 1);
            if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                Interlocked.Increment(ref ServerErrors);
            }

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Interlocked.Increment(ref Unavailable);

                // A 503 is always something to send again, and says when.
                Assert.NotNull(response.Headers.RetryAfter?.Delta);
            }
        }

        public int Total => _counts.Values.Sum();

        public IEnumerable<string> Lines() => _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"  {kv.Key}: {kv.Value}");
    }

    private sealed record Paid(string OrderId, HtmlForm ReturnForm);

    [Fact]
    public async Task NEXT_payments_through_a_storage_outage_never_see_a_500_and_every_paid_one_ends_succeeded()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        var clock = new ShiftedClock();
        await using var app = await TestApp.StartAsync(azurite,
            StorageRetries.Quick(new Dictionary<string, string?> { ["Reconciliation:PendingAfter"] = "00:00:00" }),
            services => services.AddSingleton<TimeProvider>(clock));
        var tally = new Tally();
        var paid = new ConcurrentBag<string>();
        var stuckKeys = new ConcurrentBag<string>();
        var storageBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enoughDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = 0;

        // Shoppers who paid at NEXT before the outage and come back during it (the case that used to land on a 500).
        var held = new List<Paid>();
        for (var i = 0; i < HeldReturns; i++)
        {
            held.Add(await CreateAndPayAsync(app, tally, $"held-{i}", storageBack.Task, stuckKeys) ?? throw new InvalidOperationException("held create failed"));
            paid.Add(held[^1].OrderId);
        }

        var outage = Task.Run(async () =>
        {
            await enoughDone.Task;
            await azurite.StopAsync();
            var pages = new List<(Paid Payment, HtmlForm Page)>();
            foreach (var payment in held)
            {
                var answer = await Shopper.ReturnAsync(app.Client, payment.ReturnForm);
                tally.Count("return", answer);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
                Interlocked.Increment(ref tally.RetryPages);
                pages.Add((payment, RetryForm(app, await answer.Content.ReadAsStringAsync(), payment.ReturnForm)));
                var read = await app.Client.GetAsync($"/api/orders/{payment.OrderId}");
                tally.Count("get", read);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
            }

            await Task.Delay(OutageLength);
            await azurite.StartAgainAsync();
            storageBack.SetResult();

            // Each held shopper's page posts the same return once more: the usual 303, succeeded.
            foreach (var (payment, page) in pages)
            {
                var again = await Shopper.ReturnAsync(app.Client, page);
                tally.Count("return (retry page)", again);
                AssertSucceededRedirect(again, payment.OrderId);
            }
        });

        using var gate = new SemaphoreSlim(Concurrency);
        var flows = Enumerable.Range(0, Flows).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                if (await CreateAndPayAsync(app, tally, $"flow-{i}", storageBack.Task, stuckKeys) is not { } payment)
                {
                    return;
                }

                paid.Add(payment.OrderId);
                var back = await Shopper.ReturnAsync(app.Client, payment.ReturnForm);
                tally.Count("return", back);
                if (back.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    // The retry page: followed once storage is back, it is the 303.
                    Interlocked.Increment(ref tally.RetryPages);
                    var page = RetryForm(app, await back.Content.ReadAsStringAsync(), payment.ReturnForm);
                    await storageBack.Task;
                    back = await Shopper.ReturnAsync(app.Client, page);
                    tally.Count("return (retry page)", back);
                }

                AssertSucceededRedirect(back, payment.OrderId);
                Assert.Equal("succeeded", (await ReadAsync(app, tally, payment.OrderId, storageBack.Task)).Status);
            }
            finally
            {
                gate.Release();
                if (Interlocked.Increment(ref done) == OutageAfterFlows)
                {
                    enoughDone.SetResult();
                }
            }
        }).ToList();
        await Task.WhenAll(flows);
        await outage;

        // Past the takeover age: every create cut off by the outage gets a definite answer when the storefront retries,
        // and the reconciliation run settles whatever nobody retried.
        clock.Offset = PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1);
        foreach (var key in stuckKeys)
        {
            var again = await PostCreateAsync(app, key);
            tally.Count("create (after takeover age)", again);
            Assert.NotEqual("urn:payments:problem:order-in-progress", await ProblemTypeAsync(again));
            if (again.StatusCode == HttpStatusCode.Created)
            {
                // Its order row was never written: taken over and opened now, so the shopper can pay it.
                var order = await app.Api.ReadAsync<OrderView>(again);
                var form = await Shopper.DecideAsync(app.Client, order.RedirectUrl!, "pay");
                paid.Add(order.OrderId);
                var back = await Shopper.ReturnAsync(app.Client, form);
                tally.Count("return", back);
                AssertSucceededRedirect(back, order.OrderId);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            }
        }

        await app.RunTimerAsync(TimerFunctions.Reconcile);
        Assert.Empty(await app.Service<IOrderQueries>().FindAwaitingProviderSessionAsync(DateTimeOffset.MaxValue, 1000, default));
        foreach (var orderId in paid)
        {
            Assert.Equal("succeeded", (await ReadAsync(app, tally, orderId, Task.CompletedTask)).Status);
        }

        output.WriteLine($"payments: {Flows + HeldReturns} started, {paid.Count} paid in the sandbox, all succeeded");
        output.WriteLine($"Azurite stops: {azurite.Stops} (for {OutageLength.TotalSeconds} s, SIGINT, restarted on port {azurite.Port})");
        output.WriteLine($"responses: {tally.Total}");
        foreach (var line in tally.Lines())
        {
            output.WriteLine(line);
        }

        output.WriteLine($"503s (all with Retry-After): {tally.Unavailable}");
        output.WriteLine($"retry pages: {tally.RetryPages}");
        output.WriteLine($"creates cut off (409 order-in-progress, settled past the takeover age): {tally.CutOffCreates}");
        output.WriteLine($"500s: {tally.ServerErrors}");

        Assert.Equal(0, tally.ServerErrors);
        Assert.Equal(1, azurite.Stops);
        Assert.True(tally.Unavailable >= HeldReturns * 2, "the outage was seen");
        Assert.True(tally.RetryPages >= HeldReturns);
    }

    /// <summary>Creates (sending it again after 503s), then pays on the sandbox's page. Null when the create was cut off.</summary>
    private static async Task<Paid?> CreateAndPayAsync(TestApp app, Tally tally, string key, Task storageBack, ConcurrentBag<string> stuckKeys)
    {
        OrderView? order = null;
        for (var attempt = 1; order is null; attempt++)
        {
            Assert.True(attempt <= MaxAttempts, $"create {key} never answered");
            var response = await PostCreateAsync(app, key);
            tally.Count("create", response);
            switch (response.StatusCode)
            {
                case HttpStatusCode.Created:
                case HttpStatusCode.OK:
                    order = await app.Api.ReadAsync<OrderView>(response);
                    break;
                case HttpStatusCode.ServiceUnavailable:
                    Assert.Equal("urn:payments:problem:storage-unavailable", await ProblemTypeAsync(response));
                    await Task.Delay(RetryDelay);
                    break;
                case HttpStatusCode.Conflict:
                    // Cut off by the outage after its idempotency claim or order row: settled past the takeover age.
                    Assert.Equal("urn:payments:problem:order-in-progress", await ProblemTypeAsync(response));
                    Interlocked.Increment(ref tally.CutOffCreates);
                    stuckKeys.Add(key);
                    return null;
                default:
                    Assert.Fail($"create {key}: unexpected {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    break;
            }
        }

        // The sandbox's hosted page and its Pay button need no storage of ours.
        var form = await Shopper.DecideAsync(app.Client, order.RedirectUrl!, "pay");
        Interlocked.Increment(ref tally.Paid);
        return new Paid(order.OrderId, form);
    }

    private static Task<HttpResponseMessage> PostCreateAsync(TestApp app, string key) => app.Api.PostOrderAsync(OrderBodies.Next("SO-" + key), key);

    private static async Task<OrderView> ReadAsync(TestApp app, Tally tally, string orderId, Task storageBack)
    {
        for (var attempt = 1; ; attempt++)
        {
            Assert.True(attempt <= MaxAttempts, $"order {orderId} never read");
            var response = await app.Client.GetAsync($"/api/orders/{orderId}");
            tally.Count("get", response);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await app.Api.ReadAsync<OrderView>(response);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await storageBack;
            await Task.Delay(RetryDelay);
        }
    }

    private static async Task<string?> ProblemTypeAsync(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? (await response.Content.ReadFromJsonAsync<Problem>())!.Type
            : null;

    /// <summary>The retry page's form: the same return URL and the same fields NEXT posted.</summary>
    private static HtmlForm RetryForm(TestApp app, string html, HtmlForm original)
    {
        var form = Assert.Single(HtmlForms.Parse(html));
        Assert.Equal(original.Inputs, form.Inputs);
        Assert.Equal(new Uri(original.Action).PathAndQuery, form.Action);
        return form with { Action = app.BaseUrl + form.Action };
    }

    private static void AssertSucceededRedirect(HttpResponseMessage response, string orderId)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"{TestApp.Shop}/checkout/done?orderId={orderId}&status=succeeded", response.Headers.Location!.ToString());
    }
}
