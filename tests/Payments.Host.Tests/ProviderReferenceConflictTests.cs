using Microsoft.Extensions.Logging;
using Payments.Sandbox.Next;

namespace Payments.Host.Tests;

/// <summary>
/// A provider reference handed out twice: what a restart of the app (not of Azurite) caused while the NEXT sandbox numbered
/// its orders from 100001 again. NEXT keeps no reference lookup any more (its webhooks lead to our order through the NEXT
/// order's metadata), so a reused NEXT number cannot conflict: the order NEXT confirms settles and the older one is
/// untouched. A provider that keeps a lookup and hands out a reference another order holds fails that create (409
/// provider-reference-conflict, nothing handed out), logged naming both orders. Never a 5xx.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ProviderReferenceConflictTests(AzuriteFixture azurite)
{
    /// <summary>The NEXT sandbox as it was: numbering every restart's orders from 100001 again.</summary>
    private static Action<IServiceCollection> NumberedFrom100001(LogCapture? logs = null) => services =>
    {
        var last = 100_000L;
        services.AddSingleton(new NextSandboxState(TimeProvider.System, () => Interlocked.Increment(ref last)));
        if (logs is not null)
        {
            services.AddSingleton<ILoggerProvider>(logs);
        }
    };

    /// <summary>The app before the restart: one NEXT order paid through the shopper's return. Returns it, and settings that start the app again on its tables.</summary>
    private async Task<(string OrderId, string Number, Dictionary<string, string?> Tables)> PaidBeforeRestartAsync(Action<IServiceCollection>? services = null)
    {
        await using var app = await TestApp.StartAsync(azurite, NextWebhooks.Settings(), services);
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next("SO-OLD"));
        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var order = await app.Api.GetOrderAsync(created.OrderId);
        Assert.Equal("succeeded", order.Status);
        return (order.OrderId, order.ProviderReference!, app.SameTables(NextWebhooks.Settings()));
    }

    /// <summary>The shopper pays a new order at NEXT; the return is not sent yet. Returns our order id, the return form and NEXT's order.</summary>
    private static async Task<(string OrderId, Payments.Testing.Html.HtmlForm Return, JsonObject NextOrder)> PaidAtNextAsync(TestApp app)
    {
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next("SO-NEW"));
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var nextOrder = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();
        return (created.OrderId, form, nextOrder);
    }

    private static void AssertConflictLogged(LogCapture logs, string orderId, string linkedOrderId, string number) =>
        Assert.Contains(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase)
            && w.Contains(orderId, StringComparison.Ordinal) && w.Contains(linkedOrderId, StringComparison.Ordinal) && w.Contains(number, StringComparison.Ordinal));

    private static async Task AssertUnchangedAsync(TestApp app, string orderId, string number)
    {
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal(number, order.ProviderReference);
        Assert.Single(order.History);
    }

    [Fact]
    public async Task After_a_restart_on_the_same_tables_the_NEXT_sandbox_gives_a_new_order_a_number_of_its_own()
    {
        var (oldId, oldNumber, tables) = await PaidBeforeRestartAsync();
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, tables, s => s.AddSingleton<ILoggerProvider>(logs));

        var created = await app.Api.CreateOrderAsync(OrderBodies.Next("SO-NEW"));
        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(back.Headers.Location!.Query)["status"].ToString());
        var order = await app.Api.GetOrderAsync(created.OrderId);
        Assert.Equal("succeeded", order.Status);
        var number = order.ProviderReference;
        Assert.NotEqual(oldNumber, number);
        Assert.Matches("^[0-9]+$", number);

        // NEXT numbers are never linked (no lookup row on the return's path): only the idempotency claims are there.
        var lookups = app.Service<IOrderLookups>();
        Assert.Null(await lookups.FindOrderIdAsync("next", number!, default));
        Assert.Null(await lookups.FindOrderIdAsync("next", oldNumber, default));
        Assert.All((await app.AllRowsAsync()).Where(r => r.PartitionKey.StartsWith("ref_", StringComparison.Ordinal)), r => Assert.Fail($"lookup row {r.PartitionKey}"));
        await AssertUnchangedAsync(app, oldId, oldNumber);
        Assert.DoesNotContain(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_return_whose_NEXT_number_an_order_from_before_a_restart_holds_settles_the_order_NEXT_s_metadata_names_and_leaves_the_old_one()
    {
        var (oldId, oldNumber, tables) = await PaidBeforeRestartAsync(NumberedFrom100001());
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, tables, NumberedFrom100001(logs));
        var (orderId, form, nextOrder) = await PaidAtNextAsync(app);
        var number = nextOrder["number"]!.ToString();
        Assert.Equal(("100001", oldNumber), (number, oldNumber));

        var back = await Shopper.ReturnAsync(app.Client, form);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal($"{TestApp.Shop}/checkout/done", back.Headers.Location!.GetLeftPart(UriPartial.Path));
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(back.Headers.Location.Query)["status"].ToString());
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal(number, order.ProviderReference);

        // No lookup: nothing to conflict with. The older order (same number, from before the restart) is untouched.
        Assert.DoesNotContain(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase));
        Assert.Null(await app.Service<IOrderLookups>().FindOrderIdAsync("next", number, default));
        await AssertUnchangedAsync(app, oldId, oldNumber);
    }

    [Fact]
    public async Task A_signed_webhook_whose_NEXT_number_an_order_from_before_a_restart_holds_settles_the_order_NEXT_s_metadata_names()
    {
        var (oldId, oldNumber, tables) = await PaidBeforeRestartAsync(NumberedFrom100001());
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, tables, NumberedFrom100001(logs));
        var (orderId, _, nextOrder) = await PaidAtNextAsync(app);
        var number = nextOrder["number"]!.ToString();
        Assert.Equal(oldNumber, number);

        // A transaction event names only the NEXT number: NEXT's order of that number (this run's) names the new order in
        // its metadata, so that one settles; the older order with the same number is untouched.
        var transaction = NextWebhooks.Event("transaction.created", "evt-tx", new JsonObject { ["id"] = 1, ["order"] = number, ["status"] = "succeeded" });
        var response = await app.Client.SendAsync(NextWebhooks.Request(transaction.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ack = await app.Api.ReadAsync<WebhookAck>(response);
        Assert.Equal((orderId, "succeeded"), (ack.OrderId, ack.Status));
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal("webhook", order.History[0].Source);
        Assert.Equal(number, order.ProviderReference);
        await AssertUnchangedAsync(app, oldId, oldNumber);

        // The order event (its metadata names the new order) is acknowledged with its status and changes nothing more.
        var again = await app.Client.SendAsync(NextWebhooks.Request(NextWebhooks.Event("order.created", "evt-order", nextOrder).ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("succeeded", (await app.Api.ReadAsync<WebhookAck>(again)).Status);
        Assert.Single((await app.Api.GetOrderAsync(orderId)).History);
        Assert.DoesNotContain(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase));
        Assert.Null(await app.Service<IOrderLookups>().FindOrderIdAsync("next", number, default));
        await AssertUnchangedAsync(app, oldId, oldNumber);
    }

    [Theory]
    [InlineData("twisto")]
    [InlineData("mangopay")]
    [InlineData("neuropay")]
    public async Task After_a_restart_on_the_same_tables_every_simulator_opens_a_new_order_with_a_reference_of_its_own(string provider)
    {
        JsonObject Body(string reference) => provider switch
        {
            "twisto" => OrderBodies.Twisto(reference),
            "mangopay" => OrderBodies.Mangopay(reference),
            _ => OrderBodies.NeuroPay(reference),
        };

        async Task<(string OrderId, string Reference)> CreateAsync(TestApp app, string merchantReference)
        {
            var response = await app.Api.PostOrderAsync(Body(merchantReference));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var order = await app.Api.ReadAsync<OrderView>(response);
            return (order.OrderId, order.ProviderReference!);
        }

        Dictionary<string, string?> tables;
        (string OrderId, string Reference) old;
        await using (var before = await TestApp.StartAsync(azurite))
        {
            old = await CreateAsync(before, "SO-OLD");
            tables = before.SameTables();
        }

        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, tables, s => s.AddSingleton<ILoggerProvider>(logs));
        var created = await CreateAsync(app, "SO-NEW");

        Assert.NotEqual(old.Reference, created.Reference);
        var lookups = app.Service<IOrderLookups>();
        Assert.Equal(old.OrderId, await lookups.FindOrderIdAsync(provider, old.Reference, default));
        Assert.Equal(created.OrderId, await lookups.FindOrderIdAsync(provider, created.Reference, default));
        Assert.DoesNotContain(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Lookups in which every reference the app links is held already by an older order (a provider that reused it).</summary>
    private sealed class ReusedReferences(IOrderLookups inner, string olderOrderId) : IOrderLookups
    {
        public Task<IdempotencyRecord?> TryClaimIdempotencyKeyAsync(IdempotencyRecord record, CancellationToken cancellationToken) =>
            inner.TryClaimIdempotencyKeyAsync(record, cancellationToken);

        public async Task<string?> LinkProviderReferenceAsync(string provider, string providerReference, string orderId, CancellationToken cancellationToken)
        {
            await inner.LinkProviderReferenceAsync(provider, providerReference, olderOrderId, cancellationToken);
            return await inner.LinkProviderReferenceAsync(provider, providerReference, orderId, cancellationToken);
        }

        public Task<string?> FindOrderIdAsync(string provider, string providerReference, CancellationToken cancellationToken) =>
            inner.FindOrderIdAsync(provider, providerReference, cancellationToken);
    }

    [Theory]
    [InlineData("twisto")]
    [InlineData("mangopay")]
    [InlineData("neuropay")]
    public async Task A_create_whose_provider_reference_another_order_holds_is_a_409_hands_nothing_out_and_logs_both_orders(string provider)
    {
        const string older = "ord_0000000000000000000000000000000a";
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddSingleton<IOrderLookups>(sp => new ReusedReferences(sp.GetRequiredService<Payments.Storage.Orders.TableOrderLookups>(), older));
        });
        var body = provider switch
        {
            "twisto" => OrderBodies.Twisto("SO-REUSED"),
            "mangopay" => OrderBodies.Mangopay("SO-REUSED"),
            _ => OrderBodies.NeuroPay("SO-REUSED"),
        };

        var response = await app.Api.PostOrderAsync(body);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await app.Api.ReadAsync<Problem>(response);
        Assert.Equal("urn:payments:problem:provider-reference-conflict", problem.Type);
        Assert.Equal("failed", problem.OrderStatus);
        Assert.DoesNotContain("redirectUrl", (problem.Extensions ?? []).Keys);
        var orderId = problem.OrderId!;
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("failed", order.Status);
        Assert.Null(order.RedirectUrl);
        var reference = order.ProviderReference!;
        AssertConflictLogged(logs, orderId, older, reference);
        Assert.Equal(older, await app.Service<IOrderLookups>().FindOrderIdAsync(provider, reference, default));

        // The same request again is the same failed order, still without a payment page.
        var replay = await app.Api.PostOrderAsync(body);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var replayed = await app.Api.ReadAsync<OrderView>(replay);
        Assert.Equal((orderId, "failed"), (replayed.OrderId, replayed.Status));
        Assert.Null(replayed.RedirectUrl);
    }
}
