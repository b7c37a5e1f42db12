using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Sandbox.Next;
using Payments.Testing;

namespace Payments.Host.Tests;

/// <summary>
/// A provider reference already linked to another order: what a restart of the app (not of Azurite) caused while the NEXT
/// sandbox numbered its orders from 100001 again. Never a 5xx: the order the provider confirmed settles, and the conflict
/// is logged naming both orders.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ProviderReferenceConflictTests(AzuriteFixture azurite)
{
    private const string WebhookSecret = "test-next-webhook-secret";

    private static Dictionary<string, string?> Settings() => new() { ["Providers:Next:WebhookSecret"] = WebhookSecret };

    private static HttpRequestMessage Webhook(JsonObject envelope)
    {
        var body = envelope.ToJsonString();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/next") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-29Next-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), Encoding.UTF8.GetBytes(body))));
        return request;
    }

    private static JsonObject Envelope(string eventType, string eventId, JsonObject data) => new()
    {
        ["api_version"] = "2024-04-01",
        ["object"] = eventType.Split('.')[0],
        ["event_id"] = eventId,
        ["event_type"] = eventType,
        ["data"] = data,
        ["webhook"] = new JsonObject { ["id"] = 1 },
    };

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
        await using var app = await TestApp.StartAsync(azurite, Settings(), services);
        var created = await NextPaymentFlowTests.CreateAsync(app, NextPaymentFlowTests.OrderBody("SO-OLD"));
        var back = await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var order = await NextPaymentFlowTests.GetAsync(app, created["orderId"]!.GetValue<string>());
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        return (order["orderId"]!.GetValue<string>(), order["providerReference"]!.GetValue<string>(), app.SameTables(Settings()));
    }

    /// <summary>The shopper pays a new order at NEXT; the return is not sent yet. Returns our order id, the return form and NEXT's order.</summary>
    private static async Task<(string OrderId, Payments.Testing.Html.HtmlForm Return, JsonObject NextOrder)> PaidAtNextAsync(TestApp app)
    {
        var created = await NextPaymentFlowTests.CreateAsync(app, NextPaymentFlowTests.OrderBody("SO-NEW"));
        var form = await Shopper.DecideAsync(app.Client, created["redirectUrl"]!.GetValue<string>(), "pay");
        var nextOrder = JsonNode.Parse(form.Inputs.Single(i => i.Key == "response").Value)!.AsObject();
        return (created["orderId"]!.GetValue<string>(), form, nextOrder);
    }

    private static void AssertConflictLogged(LogCapture logs, string orderId, string linkedOrderId, string number) =>
        Assert.Contains(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase)
            && w.Contains(orderId, StringComparison.Ordinal) && w.Contains(linkedOrderId, StringComparison.Ordinal) && w.Contains(number, StringComparison.Ordinal));

    private static async Task AssertUnchangedAsync(TestApp app, string orderId, string number)
    {
        var order = await NextPaymentFlowTests.GetAsync(app, orderId);
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        Assert.Equal(number, order["providerReference"]!.GetValue<string>());
        Assert.Single(order["history"]!.AsArray());
    }

    [Fact]
    public async Task After_a_restart_on_the_same_tables_the_NEXT_sandbox_gives_a_new_order_a_number_of_its_own()
    {
        var (oldId, oldNumber, tables) = await PaidBeforeRestartAsync();
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, tables, s => s.AddSingleton<ILoggerProvider>(logs));

        var created = await NextPaymentFlowTests.CreateAsync(app, NextPaymentFlowTests.OrderBody("SO-NEW"));
        var back = await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(back.Headers.Location!.Query)["status"].ToString());
        var order = await NextPaymentFlowTests.GetAsync(app, created["orderId"]!.GetValue<string>());
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        var number = order["providerReference"]!.GetValue<string>();
        Assert.NotEqual(oldNumber, number);
        Assert.Matches("^[0-9]+$", number);

        var lookups = app.Service<IOrderLookups>();
        Assert.Equal(order["orderId"]!.GetValue<string>(), await lookups.FindOrderIdAsync("next", number, default));
        Assert.Equal(oldId, await lookups.FindOrderIdAsync("next", oldNumber, default));
        await AssertUnchangedAsync(app, oldId, oldNumber);
        Assert.DoesNotContain(logs.Warnings, w => w.Contains("conflict", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_return_whose_NEXT_number_an_order_from_before_a_restart_holds_settles_the_order_and_logs_the_conflict()
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
        var order = await NextPaymentFlowTests.GetAsync(app, orderId);
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        Assert.Equal(number, order["providerReference"]!.GetValue<string>());
        AssertConflictLogged(logs, orderId, oldId, number);

        // The link is insert-only: it stays with the older order, which nothing changed.
        Assert.Equal(oldId, await app.Service<IOrderLookups>().FindOrderIdAsync("next", number, default));
        await AssertUnchangedAsync(app, oldId, oldNumber);
    }

    [Fact]
    public async Task A_signed_webhook_whose_NEXT_number_an_order_from_before_a_restart_holds_settles_the_order_its_metadata_names()
    {
        var (oldId, oldNumber, tables) = await PaidBeforeRestartAsync(NumberedFrom100001());
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, tables, NumberedFrom100001(logs));
        var (orderId, _, nextOrder) = await PaidAtNextAsync(app);
        var number = nextOrder["number"]!.ToString();
        Assert.Equal(oldNumber, number);

        // A transaction event names only the NEXT number: the stale link finds the older order, whose confirmation
        // refuses NEXT's order (its metadata names the new one). Acknowledged, no 5xx, no order changed.
        var transaction = Envelope("transaction.created", "evt-tx", new JsonObject { ["id"] = 1, ["order"] = number, ["status"] = "succeeded" });
        var stale = await app.Client.SendAsync(Webhook(transaction));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(oldId, (await stale.Content.ReadFromJsonAsync<JsonObject>())!["orderId"]!.GetValue<string>());
        Assert.Equal("pending", (await NextPaymentFlowTests.GetAsync(app, orderId))["status"]!.GetValue<string>());
        await AssertUnchangedAsync(app, oldId, oldNumber);

        // The order event carries NEXT's metadata, which names the new order: that one settles, and the conflict is logged.
        var response = await app.Client.SendAsync(Webhook(Envelope("order.created", "evt-order", nextOrder)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ack = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(orderId, ack["orderId"]!.GetValue<string>());
        Assert.Equal("succeeded", ack["status"]!.GetValue<string>());
        var order = await NextPaymentFlowTests.GetAsync(app, orderId);
        Assert.Equal("succeeded", order["status"]!.GetValue<string>());
        Assert.Equal("webhook", order["history"]![0]!["source"]!.GetValue<string>());
        Assert.Equal(number, order["providerReference"]!.GetValue<string>());
        AssertConflictLogged(logs, orderId, oldId, number);
        Assert.Equal(oldId, await app.Service<IOrderLookups>().FindOrderIdAsync("next", number, default));
        await AssertUnchangedAsync(app, oldId, oldNumber);
    }
}
