using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Payments.Core.Events;
using Payments.Host.Events;

namespace Payments.Host.Tests;

/// <summary>
/// What the shopper's return and a create cost in storage, counted on the wire (a pipeline policy on the app's own
/// <see cref="TableServiceClient"/>, every attempt), and that the publish after the commit is off the 303's path.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class StorageRoundTripTests(AzuriteFixture azurite)
{
    /// <summary>Every request the app's table client sends (each retry too), as "METHOD table-or-$batch".</summary>
    private sealed class StorageRequests : HttpPipelinePolicy
    {
        private readonly ConcurrentQueue<string> _requests = new();
        private volatile bool _on;

        public void Start()
        {
            _requests.Clear();
            _on = true;
        }

        public List<string> Stop()
        {
            _on = false;
            return [.. _requests];
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message)
        {
            if (!_on)
            {
                return;
            }

            // ".../devstoreaccount1/orders123(PartitionKey='…',RowKey='order')" → "orders123"; ".../$batch" → "$batch".
            var segment = message.Request.Uri.ToUri().AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
            var table = segment.Split('(')[0];
            _requests.Enqueue($"{message.Request.Method.Method} {table}");
        }
    }

    /// <summary>A message sender that holds every send until <see cref="Release"/> (a slow Service Bus), then accepts it.</summary>
    private sealed class HeldSender : IMessageSender
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<OutgoingMessage> Sent { get; } = new();

        public int Waiting;

        public void Release() => _gate.TrySetResult();

        public async Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default) =>
            await SendBatchAsync(entityPath, [message], cancellationToken);

        public async Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Waiting);
            await _gate.Task.WaitAsync(cancellationToken);
            foreach (var m in messages)
            {
                Sent.Enqueue(m);
            }
        }
    }

    private static Action<IServiceCollection> Counted(StorageRequests requests, HeldSender? sender = null) => services =>
    {
        services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(requests, HttpPipelinePosition.PerRetry));
        if (sender is not null)
        {
            services.AddSingleton<IMessageSender>(sender);
        }
    };

    [Fact]
    public async Task A_NEXT_return_of_an_order_paid_at_the_sandbox_costs_one_read_and_one_transaction_before_its_303()
    {
        var requests = new StorageRequests();
        var sender = new HeldSender();
        await using var app = await TestApp.StartAsync(azurite, services: Counted(requests, sender));

        // Warm: the tables exist (each is created once per process, on first use).
        await app.Api.CreateOrderAsync(OrderBodies.Next("SO-WARM"));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next("SO-RT"));
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");

        requests.Start();
        var back = await Shopper.ReturnAsync(app.Client, form);
        var beforeAnswer = requests.Stop();

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(back.Headers.Location!.Query)["status"].ToString());
        Assert.Equal([$"GET {app.OrdersTable}", "POST $batch"], beforeAnswer);

        // The publish was held at the bus the whole time: the record that it was sent follows it, after the answer, as one
        // row for all the events published in that moment (here the one).
        Assert.Single(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));
        requests.Start();
        sender.Release();
        await app.WhenPublishedAsync();
        Assert.Equal([$"POST {app.OrdersTable}"], requests.Stop()); // the sent row (TableOutbox.SentPartition)
        Assert.Single(sender.Sent);
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));
    }

    [Fact]
    public async Task A_create_costs_three_storage_requests_claim_insert_and_replace_with_the_insert_s_ETag()
    {
        var requests = new StorageRequests();
        await using var app = await TestApp.StartAsync(azurite, services: Counted(requests));
        await app.Api.CreateOrderAsync(OrderBodies.Next("SO-WARM"));

        requests.Start();
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next("SO-RT"));
        var made = requests.Stop();

        Assert.Equal("pending", created.Status);
        Assert.Equal([$"POST {app.LookupsTable}", $"POST {app.OrdersTable}", "POST $batch"], made);
    }

    [Fact]
    public async Task A_return_s_answer_does_not_wait_for_a_slow_publish_and_the_event_is_sent_once_after_it()
    {
        var sender = new HeldSender();
        await using var app = await TestApp.StartAsync(azurite, services: s => s.AddSingleton<IMessageSender>(sender));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next("SO-SLOW"));
        var orderId = created.OrderId;

        // The bus holds the send for as long as the test likes: the 303 comes back while it waits.
        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(back.Headers.Location!.Query)["status"].ToString());
        Assert.Empty(sender.Sent);
        Assert.True(app.Service<CommitPublishQueue>().Unfinished >= 1);
        Assert.Single(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));

        sender.Release();
        await app.WhenPublishedAsync();

        var message = Assert.Single(sender.Sent);
        Assert.Equal((orderId, "order.status_changed"), (message.CorrelationId, message.Subject));
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));

        // The sweep finds nothing left: the event went out once.
        await app.RunTimerAsync(Hosting.TimerFunctions.OutboxSweep);
        Assert.Single(sender.Sent);
    }
}
