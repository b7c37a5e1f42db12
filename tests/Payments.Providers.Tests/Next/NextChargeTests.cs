using Payments.Core.Charges;
using Payments.Core.Validation;
using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

/// <summary>NEXT upsells (add-line-items) and subscription renewals through the real client and a capturing handler.</summary>
public class NextChargeTests
{
    private static readonly DateTimeOffset Now = new(2025, 7, 1, 10, 0, 0, TimeSpan.Zero);

    private static ChargeRecord Upsell() => new(ChargeRules.NewChargeId(Now), ChargeKind.Upsell, 990,
        [new OrderItem("Socks", "55", 1, 990, null, ItemType.Goods)], ChargeStatus.Processing, Now, Now);

    private static ChargeRecord Renewal(int? cycle) => new(ChargeRules.NewChargeId(Now), ChargeKind.Recurring, 4990, [], ChargeStatus.Processing, Now, Now, Cycle: cycle);

    private static string OrderWithTransaction(string status, long id = 55121)
    {
        var node = JsonNode.Parse(NextTestKit.OrderJson(total: "59.80"))!;
        node["transactions"]!.AsArray().Add(new JsonObject { ["id"] = id, ["amount"] = "9.90", ["currency"] = "CHF", ["status"] = status, ["response_code"] = 200 });
        return node.ToJsonString();
    }

    private static string Subscription(string status, params (int Cycle, string Number)[] orders) => new JsonObject
    {
        ["id"] = 77,
        ["status"] = status,
        ["currency"] = "CHF",
        ["total"] = "49.90",
        ["orders"] = new JsonArray([.. orders.Select(o => (JsonNode)new JsonObject { ["billing_cycle"] = o.Cycle, ["order_number"] = o.Number })]),
    }.ToJsonString();

    private static Order PaidSubscriptionOrder() => NextTestKit.Order(providerReference: "108231") with
    {
        Status = PaymentStatus.Succeeded,
        Subscription = new Subscription("month", 1),
        ProviderData = new Dictionary<string, string> { [NextProvider.SubscriptionIdKey] = "77" },
    };

    [Fact]
    public async Task An_upsell_posts_its_lines_once_and_takes_the_new_transaction_as_the_answer()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, OrderWithTransaction("succeeded"));
        using var services = NextTestKit.Services(handler);

        var result = await services.Provider().ChargeUpsellAsync(NextTestKit.Order(providerReference: "108231"), Upsell(), CancellationToken.None);

        Assert.Equal(new ProviderChargeResult(ChargeOutcome.Succeeded, "108231/55121", "paid"), result);
        var sent = handler.OnlyRequest();
        Assert.Equal((HttpMethod.Post, "/api/admin/orders/108231/add-line-items/"), (sent.Method, sent.Uri.AbsolutePath));
        var line = Assert.Single(sent.Json().GetProperty("lines").EnumerateArray());
        Assert.Equal((55L, 1, "9.90", true), (line.GetProperty("product_id").GetInt64(), line.GetProperty("quantity").GetInt32(),
            line.GetProperty("price").GetString(), line.GetProperty("is_upsell").GetBoolean()));
        Assert.Equal(7, sent.Json().GetProperty("payment_details").GetProperty("payment_gateway").GetInt32());
    }

    [Fact]
    public async Task A_declined_upsell_fails_and_a_5xx_is_not_sent_again()
    {
        var declined = new CapturingHandler().Respond(HttpStatusCode.OK, OrderWithTransaction("failed"));
        using (var services = NextTestKit.Services(declined))
        {
            var result = await services.Provider().ChargeUpsellAsync(NextTestKit.Order(providerReference: "108231"), Upsell(), CancellationToken.None);
            Assert.Equal(ChargeOutcome.Failed, result.Outcome);
        }

        var unwell = new CapturingHandler().Respond(HttpStatusCode.BadGateway).Otherwise(HttpStatusCode.OK, OrderWithTransaction("succeeded"));
        using (var services = NextTestKit.Services(unwell))
        {
            var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => services.Provider().ChargeUpsellAsync(NextTestKit.Order(providerReference: "108231"), Upsell(), CancellationToken.None));
            Assert.Equal((ProviderFailure.Unavailable, false), (ex.Failure, ex.NotSent));
            Assert.Equal(1, unwell.Count);
        }

        var down = new CapturingHandler().FailWithNetworkError();
        using (var services = NextTestKit.Services(down))
        {
            var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => services.Provider().ChargeUpsellAsync(NextTestKit.Order(providerReference: "108231"), Upsell(), CancellationToken.None));
            Assert.Equal(1, down.Count);
            Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        }
    }

    [Fact]
    public async Task A_renewal_reads_the_subscription_renews_it_and_confirms_the_new_order()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, Subscription("active", (1, "108231")))
            .Respond(HttpStatusCode.OK, Subscription("active", (1, "108231"), (2, "108300")))
            .Respond(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);

        var result = await services.Provider().ChargeRecurringAsync(PaidSubscriptionOrder(), Renewal(cycle: 2), CancellationToken.None);

        Assert.Equal(new ProviderChargeResult(ChargeOutcome.Succeeded, "108300", "paid"), result);
        Assert.Equal(
            [(HttpMethod.Get, "/api/admin/subscriptions/77/"), (HttpMethod.Post, "/api/admin/subscriptions/77/renew/"), (HttpMethod.Get, "/api/admin/orders/108300/")],
            handler.Requests.Select(r => (r.Method, r.Uri.AbsolutePath)));
    }

    [Fact]
    public async Task A_cycle_NEXT_renewed_by_itself_is_not_renewed_again()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, Subscription("active", (1, "108231"), (2, "108300")))
            .Respond(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);

        var result = await services.Provider().ChargeRecurringAsync(PaidSubscriptionOrder(), Renewal(cycle: 2), CancellationToken.None);

        Assert.Equal(("108300", ChargeOutcome.Succeeded), (result.ProviderReference, result.Outcome));
        Assert.DoesNotContain(handler.Requests, r => r.Uri.AbsolutePath.EndsWith("/renew/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("past_due", ChargeOutcome.Failed)]
    [InlineData("retrying", ChargeOutcome.Failed)]
    [InlineData("active", ChargeOutcome.Undecided)]
    public async Task A_renewal_without_a_new_order_is_declined_or_undecided(string status, ChargeOutcome expected)
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, Subscription("active", (1, "108231")))
            .Respond(HttpStatusCode.OK, Subscription(status, (1, "108231")));
        using var services = NextTestKit.Services(handler);

        var result = await services.Provider().ChargeRecurringAsync(PaidSubscriptionOrder(), Renewal(cycle: null), CancellationToken.None);

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task A_renewal_order_still_pending_is_undecided_and_a_subscription_id_is_found_through_the_order()
    {
        var order = NextTestKit.Order(providerReference: "108231") with { Status = PaymentStatus.Succeeded, Subscription = new Subscription("month", 1) };
        var withSubscription = JsonNode.Parse(NextTestKit.OrderJson())!;
        withSubscription["subscriptions"] = new JsonArray(new JsonObject { ["id"] = 77, ["billing_cycle"] = 1 });
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, withSubscription.ToJsonString())
            .Respond(HttpStatusCode.OK, Subscription("active", (1, "108231")))
            .Respond(HttpStatusCode.OK, Subscription("active", (1, "108231"), (2, "108300")))
            .Respond(HttpStatusCode.OK, NextTestKit.OrderJson(paymentStatus: "pending"));
        using var services = NextTestKit.Services(handler);

        var result = await services.Provider().ChargeRecurringAsync(order, Renewal(cycle: null), CancellationToken.None);

        Assert.Equal((ChargeOutcome.Undecided, "108300", "pending"), (result.Outcome, result.ProviderReference, result.ProviderStatus));
        Assert.Equal("/api/admin/orders/108231/", handler.Requests[0].Uri.AbsolutePath);
    }

    [Fact]
    public void Charge_limits_are_NEXT_s()
    {
        var paid = NextTestKit.Order() with { Status = PaymentStatus.Succeeded };
        static IEnumerable<string> Fields(IEnumerable<ValidationIssue> issues) => issues.Select(i => i.Field);

        Assert.Equal(["order"], Fields(NextOrderMapping.ValidateCharge(paid, new ChargeDraft(ChargeKind.Upsell, 990, Upsell().Items, null))));
        var linked = paid with { ProviderReference = "108231" };
        Assert.Empty(NextOrderMapping.ValidateCharge(linked, new ChargeDraft(ChargeKind.Upsell, 990, Upsell().Items, null)));
        Assert.Equal(["items[0].sku", "items[1].type"], Fields(NextOrderMapping.ValidateCharge(linked, new ChargeDraft(ChargeKind.Upsell, 990,
            [new OrderItem("Socks", "SOCKS", 1, 500, null, ItemType.Goods), new OrderItem("Post", null, 1, 490, null, ItemType.Shipment)], null))));

        Assert.Equal(["order"], Fields(NextOrderMapping.ValidateCharge(linked, new ChargeDraft(ChargeKind.Recurring, 4990, [], null))));
        var subscribed = linked with { Subscription = new Subscription("month", 1) };
        Assert.Empty(NextOrderMapping.ValidateCharge(subscribed, new ChargeDraft(ChargeKind.Recurring, 4990, [], null)));
        Assert.Equal(["items", "amount"], Fields(NextOrderMapping.ValidateCharge(subscribed, new ChargeDraft(ChargeKind.Recurring, 990, Upsell().Items, null))));
        Assert.All(NextOrderMapping.ValidateCharge(subscribed, new ChargeDraft(ChargeKind.Recurring, 990, [], null)), i => Assert.Equal(IssueKind.Unprocessable, i.Kind));
    }

    [Fact]
    public void After_upsells_NEXT_s_total_is_expected_to_include_them()
    {
        var next = new NextOrder
        {
            Currency = "CHF",
            TotalInclTax = "59.80",
            Metadata = new Dictionary<string, System.Text.Json.JsonElement>
            {
                ["payments_order_id"] = System.Text.Json.JsonSerializer.SerializeToElement(NextTestKit.OrderId),
            }
        };
        var order = NextTestKit.Order();
        var succeeded = Upsell() with { Status = ChargeStatus.Succeeded };

        Assert.NotNull(NextOrderMapping.WhyNotOurs(next, order, "payments_order_id"));
        Assert.Null(NextOrderMapping.WhyNotOurs(next, order with { Charges = [succeeded] }, "payments_order_id"));
        Assert.Null(NextOrderMapping.WhyNotOurs(next, order with { Charges = [Upsell() with { Status = ChargeStatus.Unknown }] }, "payments_order_id"));
        Assert.NotNull(NextOrderMapping.WhyNotOurs(next, order with { Charges = [Upsell() with { Status = ChargeStatus.Failed }] }, "payments_order_id"));
        Assert.NotNull(NextOrderMapping.WhyNotOurs(next with { TotalInclTax = "49.90" }, order with { Charges = [succeeded] }, "payments_order_id"));
    }
}
