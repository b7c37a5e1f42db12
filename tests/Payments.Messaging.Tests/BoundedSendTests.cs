using System.Diagnostics;
using System.Net.Sockets;
using Azure.Messaging.ServiceBus;
using Payments.Messaging.ServiceBus;

namespace Payments.Messaging.Tests;

public sealed class BoundedSendTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_send_that_never_completes_and_ignores_its_token_is_given_up_after_the_bound()
    {
        var never = new TaskCompletionSource();
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MessageSendException>(() =>
            BoundedSend.RunAsync(_ => never.Task, MessagingEntities.PaymentEvents, Bound, TimeProvider.System, CancellationToken.None));

        Assert.InRange(watch.Elapsed, Bound - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));
        Assert.Equal(("Timeout", true, MessagingEntities.PaymentEvents), (ex.Reason, ex.IsTransient, ex.EntityPath));

        // It fails later: nothing goes unobserved, nothing throws here.
        never.SetException(new InvalidOperationException("late"));
    }

    [Fact]
    public async Task A_send_that_honours_the_bound_s_token_is_a_timeout_too()
    {
        var ex = await Assert.ThrowsAsync<MessageSendException>(() =>
            BoundedSend.RunAsync(ct => Task.Delay(Timeout.Infinite, ct), MessagingEntities.PaymentCharges, Bound, TimeProvider.System, CancellationToken.None));

        Assert.Equal("Timeout", ex.Reason);
    }

    [Fact]
    public async Task The_bound_runs_on_the_time_provider()
    {
        var clock = new FakeTimeProvider();
        var never = new TaskCompletionSource();

        var send = BoundedSend.RunAsync(_ => never.Task, MessagingEntities.PaymentEvents, TimeSpan.FromSeconds(5), clock, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(send.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<MessageSendException>(() => send.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_send_within_the_bound_completes_and_its_failure_is_its_own()
    {
        await BoundedSend.RunAsync(_ => Task.CompletedTask, MessagingEntities.PaymentEvents, Bound, TimeProvider.System, CancellationToken.None);
        var own = new MessageSendException("down", MessagingEntities.PaymentEvents, "ServiceCommunicationProblem", isTransient: true);

        var ex = await Assert.ThrowsAsync<MessageSendException>(() =>
            BoundedSend.RunAsync(_ => Task.FromException(own), MessagingEntities.PaymentEvents, Bound, TimeProvider.System, CancellationToken.None));

        Assert.Same(own, ex);
    }

    [Fact]
    public async Task The_caller_s_cancellation_stays_a_cancellation()
    {
        using var caller = new CancellationTokenSource();
        var never = new TaskCompletionSource();
        var send = BoundedSend.RunAsync(_ => never.Task, MessagingEntities.PaymentEvents, TimeSpan.FromSeconds(30), TimeProvider.System, caller.Token);

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    /// <summary>
    /// The real SDK against a loopback endpoint that accepts TCP and never answers: the SDK's attempt would wait its
    /// TryTimeout plus about 5 s, whatever the token says; the bound returns in time.
    /// </summary>
    [Fact]
    public async Task The_real_client_against_an_endpoint_that_never_answers_is_held_to_the_bound()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptTcpClientAsync());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = new ServiceBusClient(
            $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true",
            new ServiceBusClientOptions { RetryOptions = new ServiceBusRetryOptions { MaxRetries = 0, TryTimeout = TimeSpan.FromSeconds(3) } });
        var sender = new ServiceBusMessageSender(client);
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MessageSendException>(() => BoundedSend.RunAsync(
            ct => sender.SendAsync(MessagingEntities.PaymentEvents, OutgoingMessage.FromText("x") with { MessageId = "m1" }, ct),
            MessagingEntities.PaymentEvents, TimeSpan.FromSeconds(1), TimeProvider.System, CancellationToken.None));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.5));
        Assert.Equal("Timeout", ex.Reason);
        listener.Stop();
        accepted.ForEach(c => c.Dispose());
        await accepting;
    }

    /// <summary>The real SDK with nothing listening: the send fails after the client's retries, transient, ServiceCommunicationProblem.</summary>
    [Fact]
    public async Task The_real_client_with_no_broker_fails_transiently_after_its_retries()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var client = new ServiceBusClient(
            $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true",
            new ServiceBusClientOptions { RetryOptions = new ServiceBusRetryOptions { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10), TryTimeout = TimeSpan.FromSeconds(5) } });
        var sender = new ServiceBusMessageSender(client);

        var ex = await Assert.ThrowsAsync<MessageSendException>(() =>
            sender.SendAsync(MessagingEntities.PaymentEvents, OutgoingMessage.FromText("x") with { MessageId = "m1" }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal((nameof(ServiceBusFailureReason.ServiceCommunicationProblem), true), (ex.Reason, ex.IsTransient));
        Assert.DoesNotContain("SAS_KEY_VALUE", ex.Message, StringComparison.Ordinal);
    }
}
