using Payments.Core.Events;
using Payments.Host.Hosting;
using Microsoft.AspNetCore.Http;
using Payments.Storage.Orders;
using Payments.Storage.Tables;

namespace Payments.Host.Tests;

/// <summary>
/// Storage that cannot be reached (Azurite stopped with SIGINT and started again on the same port and folder) is a
/// <c>503 storage-unavailable</c> with <c>Retry-After</c>, never a 500; the shopper's return gets a page that repeats
/// the same return until it is recorded. Each test has its own disk-backed Azurite.
/// </summary>
public sealed class StorageOutageTests
{
    internal static async Task AssertStorageUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<Problem>())!;
        Assert.Equal("urn:payments:problem:storage-unavailable", problem.Type);
        Assert.Equal(503, problem.Status);
    }

    [Fact]
    public async Task While_storage_is_down_create_read_and_webhook_answer_503_storage_unavailable_with_Retry_After()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, StorageRetries.Quick(NextWebhooks.Settings()));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var nextOrder = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();

        await azurite.StopAsync();

        await AssertStorageUnavailableAsync(await app.Client.GetAsync($"/api/orders/{orderId}"));
        await AssertStorageUnavailableAsync(await app.Client.PostAsJsonAsync("/api/orders", OrderBodies.Next("SO-2002")));
        await AssertStorageUnavailableAsync(await app.Client.SendAsync(
            NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder))));

        // Back up: the refused create wrote nothing (the same key opens the order now), and the webhook NEXT sends
        // again settles the order.
        await azurite.StartAgainAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Client.PostAsJsonAsync("/api/orders", OrderBodies.Next("SO-2002"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(
            NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder)))).StatusCode);
        Assert.Equal("succeeded", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task A_NEXT_shopper_returning_while_storage_is_down_gets_a_page_that_posts_the_same_response_again_then_the_303()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, StorageRetries.Quick());
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        var returnForm = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");

        await azurite.StopAsync();
        var page = await Shopper.ReturnAsync(app.Client, returnForm);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(3), page.Headers.RetryAfter?.Delta);
        Assert.False(page.Headers.Contains("Refresh"), "a refresh (a GET) would drop the posted response");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("document.getElementById('retry').submit()", html, StringComparison.Ordinal);
        var retry = Assert.Single(HtmlForms.Parse(html));
        Assert.Equal(new Uri(returnForm.Action).PathAndQuery, retry.Action);
        Assert.Equal(returnForm.Inputs, retry.Inputs);

        // Still down: the page again. Then storage answers and the same page's post is the usual 303 to successUrl.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Shopper.ReturnAsync(app.Client, retry with { Action = app.BaseUrl + retry.Action })).StatusCode);
        await azurite.StartAgainAsync();
        var done = await Shopper.ReturnAsync(app.Client, retry with { Action = app.BaseUrl + retry.Action });

        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        Assert.Equal($"{TestApp.Shop}/checkout/done?orderId={orderId}&status=succeeded", done.Headers.Location!.ToString());
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Single(order.History);
    }

    [Fact]
    public async Task A_GET_return_while_storage_is_down_gets_a_page_that_refreshes_itself_with_a_link_back()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, StorageRetries.Quick());
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var returnForm = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var returnUrl = new Uri(returnForm.Action).PathAndQuery + "?cancel=1";

        await azurite.StopAsync();
        var page = await app.Client.GetAsync(returnUrl);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("3", page.Headers.GetValues("Refresh").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"3\">", html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{System.Net.WebUtility.HtmlEncode(returnUrl)}\">", html, StringComparison.Ordinal);

        await azurite.StartAgainAsync();
        var done = await app.Client.GetAsync(returnUrl);
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
    }

    /// <summary>An order store on which every ETag-guarded write loses the race, as with many writers on one order.</summary>
    private sealed class AlwaysStaleStore(IOrderStore inner) : IOrderStore
    {
        public Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken) => inner.GetAsync(orderId, cancellationToken);

        public Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken) => inner.TryInsertAsync(order, cancellationToken);

        public Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken) =>
            Task.FromResult<StoredOrder?>(null);
    }

    [Fact]
    public async Task An_order_that_keeps_changing_under_every_write_is_a_409_order_busy_with_Retry_After_1()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, StorageRetries.Quick(),
            services => services.AddSingleton<IOrderStore>(sp => new AlwaysStaleStore(sp.GetRequiredService<TableOrderStore>())));

        var response = await app.Api.PostOrderAsync(OrderBodies.Next());

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var problem = await app.Api.ReadAsync<Problem>(response);
        Assert.Equal("urn:payments:problem:order-busy", problem.Type);
        Assert.StartsWith("ord_", problem.OrderId, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stops Azurite just before the write that records a new order's payment session: the create is cut off by a
    /// real outage after its order row was written and after the provider opened the session.
    /// </summary>
    private sealed class OutageBeforeSessionWrite(IOrderStore inner, RestartableAzurite azurite) : IOrderStore
    {
        private int _armed = 1;

        public Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken) => inner.GetAsync(orderId, cancellationToken);

        public Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken) => inner.TryInsertAsync(order, cancellationToken);

        public async Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
        {
            if (current.Order.AwaitingProviderSession && updated.RedirectUrl is not null && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                await azurite.StopAsync();
            }

            return await inner.TryReplaceAsync(current, updated, events, cancellationToken);
        }
    }

    private static async Task<(TestApp App, ShiftedClock Clock)> StartCuttingOffAsync(RestartableAzurite azurite)
    {
        var clock = new ShiftedClock();
        var app = await TestApp.StartAsync(azurite, StorageRetries.Quick(), services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IOrderStore>(sp => new OutageBeforeSessionWrite(sp.GetRequiredService<TableOrderStore>(), azurite));
        });
        return (app, clock);
    }

    private static async Task<Problem> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<Problem>())!;
        Assert.Equal("urn:payments:problem:" + type, problem.Type);
        return problem;
    }

    [Fact]
    public async Task A_NEXT_create_cut_off_after_its_order_row_ends_failed_past_the_takeover_age_and_the_retry_says_so()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        var (app, clock) = await StartCuttingOffAsync(azurite);
        await using var _ = app;

        await AssertStorageUnavailableAsync(await app.Api.PostOrderAsync(OrderBodies.Next(), "cut-1"));
        await azurite.StartAgainAsync();
        var inProgress = await ProblemAsync(await app.Api.PostOrderAsync(OrderBodies.Next(), "cut-1"), HttpStatusCode.Conflict, "order-in-progress");
        var orderId = inProgress.OrderId!;

        // Past the takeover age (2 minutes; the app's clock is moved, nothing waits) the same create gets a definite answer.
        clock.Offset = PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1);
        var abandoned = await ProblemAsync(await app.Api.PostOrderAsync(OrderBodies.Next(), "cut-1"), HttpStatusCode.Conflict, "order-abandoned");
        Assert.Equal(orderId, abandoned.OrderId);
        Assert.Equal("failed", abandoned.OrderStatus);
        Assert.Contains("no shopper can have paid", abandoned.Detail, StringComparison.Ordinal);

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("failed", order.Status);
        Assert.Null(order.RedirectUrl);
        Assert.Contains("no shopper can have paid", order.FailureReason, StringComparison.Ordinal);

        // The same key from now on: the failed order (200), never a second NEXT order.
        var replay = await app.Api.PostOrderAsync(OrderBodies.Next(), "cut-1");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("failed", (await app.Api.ReadAsync<OrderView>(replay)).Status);
    }

    [Fact]
    public async Task A_Mangopay_create_cut_off_after_its_order_row_is_resumed_past_the_takeover_age_with_the_same_pay_in()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        var (app, clock) = await StartCuttingOffAsync(azurite);
        await using var _ = app;

        await AssertStorageUnavailableAsync(await app.Api.PostOrderAsync(OrderBodies.Mangopay(), "cut-2"));
        await azurite.StartAgainAsync();
        clock.Offset = PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1);

        var resumed = await app.Api.PostOrderAsync(OrderBodies.Mangopay(), "cut-2");
        Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
        var order = await app.Api.ReadAsync<OrderView>(resumed);
        Assert.Equal("pending", order.Status);
        Assert.StartsWith($"{app.BaseUrl}/sandbox/mangopay/twint/", order.RedirectUrl, StringComparison.Ordinal);
        Assert.StartsWith("wt_", order.ProviderReference, StringComparison.Ordinal);

        // Mangopay answered the repeat with the first pay-in (same Idempotency-Key): one pay-in for the order.
        var replay = await app.Api.PostOrderAsync(OrderBodies.Mangopay(), "cut-2");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(order.ProviderReference, (await app.Api.ReadAsync<OrderView>(replay)).ProviderReference);
    }

    [Fact]
    public async Task The_reconciliation_run_fails_a_cut_off_NEXT_create_past_the_takeover_age_when_the_storefront_never_retries()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        var (app, clock) = await StartCuttingOffAsync(azurite);
        await using var _ = app;

        await AssertStorageUnavailableAsync(await app.Api.PostOrderAsync(OrderBodies.Next(), "cut-3"));
        await azurite.StartAgainAsync();
        var orderId = Assert.Single(await app.Service<IOrderQueries>().FindAwaitingProviderSessionAsync(DateTimeOffset.MaxValue, 10, default));

        await app.RunTimerAsync(TimerFunctions.Reconcile);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);

        clock.Offset = PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1);
        await app.RunTimerAsync(TimerFunctions.Reconcile);

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("failed", order.Status);
        Assert.Equal("reconcile", order.History[0].Source);
        Assert.Empty(await app.Service<IOrderQueries>().FindAwaitingProviderSessionAsync(DateTimeOffset.MaxValue, 10, default));
    }

    /// <summary>Says when a read met the outage (the shopper's return reached us while storage was down).</summary>
    private sealed class OutageWitness(IOrderStore inner) : IOrderStore
    {
        public TaskCompletionSource ReadFailed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.GetAsync(orderId, cancellationToken);
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex))
            {
                ReadFailed.TrySetResult();
                throw;
            }
        }

        public Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken) => inner.TryInsertAsync(order, cancellationToken);

        public Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken) =>
            inner.TryReplaceAsync(current, updated, events, cancellationToken);
    }

    [Fact]
    public async Task A_shopper_in_Chromium_who_pays_while_storage_is_down_is_carried_by_the_retry_page_to_the_shop_once_it_is_back()
    {
        await using var shop = WebApplication.Create(["--urls", "http://127.0.0.1:0"]);
        shop.MapGet("/{**path}", () => Results.Content("<h1>shop</h1>", "text/html"));
        await shop.StartAsync();
        var shopOrigin = shop.Urls.Single().TrimEnd('/');

        await using var azurite = await RestartableAzurite.StartAsync();
        OutageWitness? witness = null;
        await using var app = await TestApp.StartAsync(azurite, StorageRetries.Quick(new Dictionary<string, string?> { ["Security:AllowedRedirectOrigins:1"] = shopOrigin }),
            services => services.AddSingleton<IOrderStore>(sp => witness = new OutageWitness(sp.GetRequiredService<TableOrderStore>())));
        var body = OrderBodies.Next();
        body["successUrl"] = $"{shopOrigin}/checkout/done";
        body["failureUrl"] = $"{shopOrigin}/checkout/failed";
        var created = await app.Api.CreateOrderAsync(body);
        var orderId = created.OrderId;

        await azurite.StopAsync();
        var browser = BrowserShopper.RunAsync(created.RedirectUrl!, "Pay", shopOrigin);

        // The browser's return met the outage and got the retry page; storage comes back while the page waits.
        await Task.WhenAny(witness!.ReadFailed.Task, browser);
        Assert.True(witness.ReadFailed.Task.IsCompleted, "the browser finished without its return meeting the outage");
        await azurite.StartAgainAsync();
        var finalUrl = new Uri(await browser);

        Assert.Equal($"{shopOrigin}/checkout/done", finalUrl.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(finalUrl.Query);
        Assert.Equal(orderId, query["orderId"].ToString());
        Assert.Equal("succeeded", query["status"].ToString());
        Assert.Equal("succeeded", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    /// <summary>Holds every settlement write until <see cref="Release"/> (a write stuck in storage retries).</summary>
    private sealed class HeldWrites(IOrderStore inner) : IOrderStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Holding { get; set; }

        public void Release() => _gate.TrySetResult();

        public Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken) => inner.GetAsync(orderId, cancellationToken);

        public Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken) => inner.TryInsertAsync(order, cancellationToken);

        public async Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
        {
            if (Holding)
            {
                await _gate.Task;
            }

            return await inner.TryReplaceAsync(current, updated, events, cancellationToken);
        }
    }

    [Fact]
    public async Task A_webhook_whose_settlement_is_still_running_while_storage_has_just_failed_is_a_503_so_that_NEXT_sends_it_again()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        HeldWrites? writes = null;
        await using var app = await TestApp.StartAsync(azurite, StorageRetries.Quick(NextWebhooks.Settings()),
            services => services.AddSingleton<IOrderStore>(sp => writes = new HeldWrites(sp.GetRequiredService<TableOrderStore>())));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var nextOrder = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();

        // Storage has just failed (the app's own client saw it) and is back; the settlement's write then hangs past the
        // moment the webhook must be answered, as one waiting out an outage in its retries does.
        await azurite.StopAsync();
        var outage = await Assert.ThrowsAnyAsync<Exception>(() => app.Service<TableOrderStore>().GetAsync(orderId, default));
        Assert.True(StorageFailures.IsUnavailable(outage), outage.ToString());
        await azurite.StartAgainAsync();
        writes!.Holding = true;

        await AssertStorageUnavailableAsync(await app.Client.SendAsync(
            NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder))));

        // The settlement still finishes; NEXT's next delivery finds it done.
        writes.Holding = false;
        writes.Release();
        var again = await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.OrderCreated(nextOrder)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Single(order.History);
    }
}
