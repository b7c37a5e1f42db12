using Payments.Sandbox.Next;
using Xunit.Abstractions;

namespace Payments.Host.Tests;

/// <summary>
/// Refund bursts against the real handler, Azurite and the sandboxes of the providers that take no idempotency key
/// (NEXT, Neuro-Pay), many rounds, comparing what we recorded with what the sandbox really refunded. The defects they
/// guard: one refund sent 20 times with one key was refunded up to 13 times; 20 different refunds answered 500.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class RefundConcurrencyTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Rounds = 10;
    private const int Burst = 20;

    /// <summary>What a provider's sandbox really did to one payment.</summary>
    private sealed record Refunded(int Operations, long Minor);

    private sealed record Kit(string Provider, long PaidMinor, Func<TestApp, int, Task<string>> PaidOrderAsync, Func<TestApp, string, Task<Refunded>> SandboxAsync);

    private static readonly Kit Next = new("next", 4990,
        async (app, round) =>
        {
            var created = await app.Api.CreateOrderAsync(OrderBodies.Next($"SO-R{round}-{Guid.NewGuid():N}"));
            await Shopper.PayAsync(app.Client, created.RedirectUrl!);
            var orderId = created.OrderId;
            Assert.Equal("succeeded", (await app.Api.GetOrderAsync(orderId)).Status);
            return orderId;
        },
        async (app, orderId) =>
        {
            var number = (await app.Api.GetOrderAsync(orderId)).ProviderReference;
            var next = JsonNode.Parse(app.Service<NextSandboxState>().FindOrder(number!)!.ToJson())!;
            var refunds = next["transactions"]!.AsArray().Where(t => t!["type"]!.GetValue<string>() == "refund").ToList();
            return new Refunded(refunds.Count, refunds.Sum(t => Minor(t!["amount"]!.GetValue<string>())));
        });

    private static readonly Kit NeuroPay = new("neuropay", 4990,
        async (app, round) =>
        {
            var created = await app.Api.CreateOrderAsync(OrderBodies.NeuroPay($"SO-R{round}-{Guid.NewGuid():N}"));
            var (_, query) = await NeuroPayShopper.FollowAsync(app, await NeuroPayShopper.DecideAsync(app, created.RedirectUrl!, "pay"));
            Assert.Equal("succeeded", query["status"]);
            return created.OrderId;
        },
        async (app, orderId) =>
        {
            var checkoutId = (await app.Api.GetOrderAsync(orderId)).ProviderReference;
            var checkout = await NeuroPayShopper.CheckoutAsync(app, checkoutId!);
            return new Refunded(checkout["refunds"]!.AsArray().Count, checkout["refunded_amount"]!.GetValue<long>());
        });

    public static TheoryData<string> Providers => ["next", "neuropay"];

    private static Kit KitFor(string provider) => provider == "next" ? Next : NeuroPay;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Twenty_identical_refunds_at_once_refund_once_at_the_provider(string provider)
    {
        var kit = KitFor(provider);
        await using var app = await TestApp.StartAsync(azurite);
        var statuses = new Dictionary<int, int>();
        int sandboxOperations = 0, records = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var orderId = await kit.PaidOrderAsync(app, round);
            var answers = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => RefundAsync(app, orderId, """{"amount":"10.00"}""", "k1")));
            Count(statuses, answers);
            Assert.All(answers, a => Assert.True(a is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{provider} round {round}: {(int)a}"));

            var order = await app.Api.GetOrderAsync(orderId);
            var refunds = order.Refunds;
            var sandbox = await kit.SandboxAsync(app, orderId);
            sandboxOperations += sandbox.Operations;
            records += refunds.Count;
            Assert.Equal((1, 1000L), (sandbox.Operations, sandbox.Minor));
            Assert.Equal("succeeded", Assert.Single(refunds).Status);
            Assert.Equal(("partially_refunded", "10.00"), (order.Status, order.RefundedAmount));
        }

        output.WriteLine($"{provider}: {Rounds} rounds x {Burst} identical refunds (one Idempotency-Key): answers {Describe(statuses)}; " +
            $"refunds recorded {records}, refunds made at the sandbox {sandboxOperations} (expected {Rounds} each); 5xx: {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Twenty_different_refunds_at_once_never_answer_5xx_and_record_what_the_provider_refunded(string provider)
    {
        var kit = KitFor(provider);
        await using var app = await TestApp.StartAsync(azurite);
        var statuses = new Dictionary<int, int>();
        long recordedTotal = 0, sandboxTotal = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var orderId = await kit.PaidOrderAsync(app, round);

            // 20 × 3.00 = 60.00 asked for 49.90 paid: some must be refused, none may be refunded twice or lost.
            var answers = await Task.WhenAll(Enumerable.Range(0, Burst).Select(i => RefundAsync(app, orderId, """{"amount":"3.00"}""", key: null)));
            Count(statuses, answers);
            Assert.All(answers, a => Assert.True(a is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity,
                $"{provider} round {round}: {(int)a}"));

            var order = await app.Api.GetOrderAsync(orderId);
            var refunds = order.Refunds;
            var succeeded = refunds.Where(r => r.Status == "succeeded").ToList();
            var recorded = succeeded.Sum(r => Minor(r.Amount));
            var sandbox = await kit.SandboxAsync(app, orderId);
            Assert.DoesNotContain(refunds, r => r.Status is "requested" or "unknown");
            Assert.Equal((sandbox.Operations, sandbox.Minor), (succeeded.Count, recorded));
            Assert.True(recorded <= kit.PaidMinor, $"refunded {recorded} of {kit.PaidMinor}");
            Assert.Equal(answers.Count(a => a == HttpStatusCode.OK), succeeded.Count);
            recordedTotal += recorded;
            sandboxTotal += sandbox.Minor;
        }

        output.WriteLine($"{provider}: {Rounds} rounds x {Burst} different refunds of 3.00 on 49.90: answers {Describe(statuses)}; " +
            $"refunded by our records {Format(recordedTotal)}, by the sandbox {Format(sandboxTotal)}; 5xx: {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}");
    }

    private static async Task<HttpStatusCode> RefundAsync(TestApp app, string orderId, string json, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/refunds")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await app.Client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var problem = await app.Api.ReadAsync<Problem>(response);
            Assert.Equal("refund-in-progress", problem.Type!.Split('/')[^1]);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        return response.StatusCode;
    }

    private static void Count(Dictionary<int, int> statuses, IEnumerable<HttpStatusCode> answers)
    {
        foreach (var a in answers)
        {
            statuses[(int)a] = statuses.GetValueOrDefault((int)a) + 1;
        }
    }

    private static string Describe(Dictionary<int, int> statuses) => string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"));

    private static long Minor(string amount) => (long)Math.Round(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) * 100m);

    private static string Format(long minor) => (minor / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
