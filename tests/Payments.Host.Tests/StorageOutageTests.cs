using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Storage.Orders;
using Payments.Testing;
using Payments.Testing.Html;

namespace Payments.Host.Tests;

/// <summary>
/// Storage that cannot be reached (Azurite stopped with SIGINT and started again on the same port and folder) is a
/// <c>503 storage-unavailable</c> with <c>Retry-After</c>, never a 500; the shopper's return gets a page that repeats
/// the same return until it is recorded. Each test has its own disk-backed Azurite.
/// </summary>
public sealed class StorageOutageTests
{
    /// <summary>Quick storage retries, so that a request during the outage fails fast.</summary>
    internal static Dictionary<string, string?> QuickStorageRetries(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:MaxRetryAttempts"] = "1",
            ["Storage:RetryBaseDelay"] = "00:00:00.050",
            ["Storage:RetryMaxDelay"] = "00:00:00.200",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return settings;
    }

    internal static async Task AssertStorageUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("urn:payments:problem:storage-unavailable", problem["type"]!.GetValue<string>());
        Assert.Equal(503, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task While_storage_is_down_create_read_and_webhook_answer_503_storage_unavailable_with_Retry_After()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, QuickStorageRetries(NextWebhookAndOperationsTests.Settings()));
        var created = await NextPaymentFlowTests.CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();
        var form = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pay");
        var nextOrder = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();

        await azurite.StopAsync();

        await AssertStorageUnavailableAsync(await app.Client.GetAsync($"/api/orders/{orderId}"));
        await AssertStorageUnavailableAsync(await app.Client.PostAsJsonAsync("/api/orders", NextPaymentFlowTests.OrderBody("SO-2002")));
        await AssertStorageUnavailableAsync(await app.Client.SendAsync(
            NextWebhookAndOperationsTests.Webhook(NextWebhookAndOperationsTests.Envelope(nextOrder))));

        // Back up: the refused create wrote nothing (the same key opens the order now), and the webhook NEXT sends
        // again settles the order.
        await azurite.StartAgainAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Client.PostAsJsonAsync("/api/orders", NextPaymentFlowTests.OrderBody("SO-2002"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(
            NextWebhookAndOperationsTests.Webhook(NextWebhookAndOperationsTests.Envelope(nextOrder)))).StatusCode);
        Assert.Equal("succeeded", (await NextPaymentFlowTests.GetAsync(app, orderId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_NEXT_shopper_returning_while_storage_is_down_gets_a_page_that_posts_the_same_response_again_then_the_303()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, QuickStorageRetries());
        var created = await NextPaymentFlowTests.CreateAsync(app);
        var orderId = created["orderId"]!.GetValue<string>();
        var returnForm = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pay");

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
        var order = await NextPaymentFlowTests.GetAsync(app, orderId);
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        Assert.Single(order["history"]!.AsArray());
    }

    [Fact]
    public async Task A_GET_return_while_storage_is_down_gets_a_page_that_refreshes_itself_with_a_link_back()
    {
        await using var azurite = await RestartableAzurite.StartAsync();
        await using var app = await TestApp.StartAsync(azurite, QuickStorageRetries());
        var created = await NextPaymentFlowTests.CreateAsync(app);
        var returnForm = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pay");
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
        await using var app = await TestApp.StartAsync(azurite, QuickStorageRetries(),
            services => services.AddSingleton<IOrderStore>(sp => new AlwaysStaleStore(sp.GetRequiredService<TableOrderStore>())));

        var response = await app.Client.PostAsJsonAsync("/api/orders", NextPaymentFlowTests.OrderBody());

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("urn:payments:problem:order-busy", problem["type"]!.GetValue<string>());
        Assert.StartsWith("ord_", problem["orderId"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
