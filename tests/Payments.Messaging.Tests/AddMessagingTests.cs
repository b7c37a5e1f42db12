using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Payments.Messaging.Functions;
using Payments.Messaging.ServiceBus;

namespace Payments.Messaging.Tests;

public class AddMessagingTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        more?.Invoke(services);
        services.AddMessaging(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    [Fact]
    public void Without_Service_Bus_settings_the_in_process_bus_is_used()
    {
        using var provider = Build([]);

        Assert.IsType<InProcessBus>(provider.GetRequiredService<IMessageSender>());
        Assert.Equal(MessagingMode.InProcess, provider.GetRequiredService<MessagingInfo>().Mode);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is InProcessBusPump);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is TimerFunctionService);
    }

    [Fact]
    public async Task A_connection_string_selects_Service_Bus_over_the_one_registered_client()
    {
        await using var provider = Build(new()
        {
            ["ServiceBus:ConnectionString"] = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc=",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "51234",
        });

        var sender = Assert.IsType<ServiceBusMessageSender>(provider.GetRequiredService<IMessageSender>());
        Assert.Equal("contoso.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.Same(provider.GetRequiredService<ServiceBusClient>(), provider.GetRequiredService<ServiceBusClient>());
        Assert.Equal(ServiceBusTransportType.AmqpTcp, provider.GetRequiredService<ServiceBusClient>().TransportType);
        Assert.Equal(MessagingMode.ServiceBus, provider.GetRequiredService<MessagingInfo>().Mode);
        Assert.DoesNotContain(provider.GetServices<IHostedService>(), s => s is InProcessBusPump or TimerFunctionService);
        Assert.Same(sender.SenderFor(MessagingEntities.PaymentEvents), sender.SenderFor(MessagingEntities.PaymentEvents));
    }

    [Fact]
    public async Task A_namespace_selects_Service_Bus_with_the_app_s_one_credential_and_the_transport_type()
    {
        var credential = new Azure.Identity.ClientSecretCredential("tenant", "client", "secret");
        await using var provider = Build(new()
        {
            ["ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
            ["ServiceBus:TransportType"] = "AmqpWebSockets",
        }, s => s.AddSingleton<TokenCredential>(credential));

        var sender = Assert.IsType<ServiceBusMessageSender>(provider.GetRequiredService<IMessageSender>());
        Assert.Equal("contoso.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.Equal(ServiceBusTransportType.AmqpWebSockets, provider.GetRequiredService<ServiceBusClient>().TransportType);
        Assert.Same(credential, Assert.Single(provider.GetServices<TokenCredential>()));
    }

    [Fact]
    public async Task Without_a_registered_credential_the_namespace_gets_DefaultAzureCredential_registered_once()
    {
        await using var provider = Build(new() { ["ServiceBus:FullyQualifiedNamespace"] = "sb://contoso.servicebus.windows.net/" },
            s => s.TryAddSingleton<TokenCredential>(_ => new Azure.Identity.DefaultAzureCredential()));

        Assert.IsType<Azure.Identity.DefaultAzureCredential>(Assert.Single(provider.GetServices<TokenCredential>()));
        Assert.Equal("contoso.servicebus.windows.net", Assert.IsType<ServiceBusMessageSender>(provider.GetRequiredService<IMessageSender>()).FullyQualifiedNamespace);
    }

    [Fact]
    public async Task A_ServiceBusClient_registered_first_is_the_one_the_sender_uses()
    {
        var client = new Moq.Mock<ServiceBusClient>();
        client.SetupGet(c => c.FullyQualifiedNamespace).Returns("mocked.servicebus.windows.net");
        await using var provider = Build(new() { ["ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net" },
            s => s.AddSingleton(client.Object));

        Assert.Same(client.Object, provider.GetRequiredService<ServiceBusClient>());
        Assert.Equal("mocked.servicebus.windows.net", Assert.IsType<ServiceBusMessageSender>(provider.GetRequiredService<IMessageSender>()).FullyQualifiedNamespace);
    }

    [Theory]
    [InlineData("SharedAccessKey=hunter2hunter2")]
    [InlineData("Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKey=hunter2hunter2")]
    [InlineData("hunter2hunter2")]
    public void A_bad_connection_string_fails_at_registration_without_echoing_the_key(string connectionString)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Build(new() { ["ServiceBus:ConnectionString"] = connectionString }));

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
    }

    [Theory]
    [InlineData("MaxRetryAttempts", "-1")]
    [InlineData("MaxRetryAttempts", "101")]
    [InlineData("RetryBaseDelay", "00:00:00")]
    [InlineData("RetryMaxDelay", "-00:00:01")]
    [InlineData("AttemptTimeout", "-00:00:01")]
    public void Retry_settings_out_of_range_fail_at_registration(string key, string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Build(new()
        {
            ["ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
            ["ServiceBus:" + key] = value,
        }));

        Assert.Contains("ServiceBus:" + key, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://contoso.servicebus.windows.net/some/path")]
    [InlineData("ftp://contoso.servicebus.windows.net")]
    public void A_bad_namespace_fails_at_registration(string fullyQualifiedNamespace)
    {
        Assert.Throws<InvalidOperationException>(() => Build(new() { ["ServiceBus:FullyQualifiedNamespace"] = fullyQualifiedNamespace }));
    }

    [Fact]
    public void Timers_can_be_switched_explicitly()
    {
        using var provider = Build(new() { ["Timers:Enabled"] = "false" });

        Assert.DoesNotContain(provider.GetServices<IHostedService>(), s => s is TimerFunctionService);
    }

    [Fact]
    public void Webhook_endpoints_bind_from_configuration_and_are_validated()
    {
        var secret = WebhookSecret.Generate().Serialize();
        using var provider = Build(new()
        {
            ["Webhooks:Endpoints:0:Url"] = "https://shop.example/hooks",
            ["Webhooks:Endpoints:0:Secret"] = secret,
            ["Webhooks:RetryDelays:0"] = "00:00:10",
        });

        var options = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var endpoint = Assert.Single(options.ParsedEndpoints());
        Assert.Equal(new Uri("https://shop.example/hooks"), endpoint.Url);
        Assert.Equal("endpoint-0", endpoint.Name);
        Assert.Equal([TimeSpan.FromSeconds(10)], options.RetrySchedule().Delays);
        Assert.NotNull(provider.GetRequiredService<WebhookDeliverer>());

        using var bad = Build(new() { ["Webhooks:Endpoints:0:Url"] = "https://shop.example/hooks", ["Webhooks:Endpoints:0:Secret"] = "nope!" });
        Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<WebhookOptions>>().Value);
    }

    [Fact]
    public async Task Standalone_the_pump_runs_registered_handlers_in_their_own_scope()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceBus:InProcess:MaxDeliveryCount"] = "3",
        }).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var calls = new Probe();
        builder.Services.AddSingleton(calls);
        builder.Services.AddScoped<ScopedThing>();
        builder.Services.AddServiceBusFunction<FlakyHandler>("StatusFanOut", MessagingEntities.PaymentEvents, "webhooks");
        builder.Services.AddMessaging(configuration);
        using var host = builder.Build();
        await host.StartAsync();

        await host.Services.GetRequiredService<IMessageSender>().SendAsync(MessagingEntities.PaymentEvents,
            OutgoingMessage.FromJson(new { eventId = "evt_1" }) with { MessageId = "evt_1" });
        var seen = await calls.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.StopAsync();

        Assert.Equal("evt_1", seen.MessageId);
        Assert.Equal(2, seen.DeliveryCount);
        Assert.Equal(2, calls.Scopes.Distinct().Count());
    }

    [Fact]
    public async Task Standalone_timers_run_on_their_period()
    {
        var clock = new FakeTimeProvider();
        var runs = 0;
        var ran = new SemaphoreSlim(0);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddTimerFunction("OutboxSweep", TimeSpan.FromMinutes(1), (sp, _) =>
        {
            Assert.NotNull(sp.GetRequiredService<TimeProvider>());
            if (Interlocked.Increment(ref runs) == 2)
            {
                ran.Release();
                throw new InvalidOperationException("a failed run is logged, the timer goes on");
            }

            ran.Release();
            return Task.CompletedTask;
        }, runOnStartup: true);
        builder.Services.AddMessaging(new ConfigurationBuilder().Build());
        using var host = builder.Build();
        await host.StartAsync();

        Assert.True(await ran.WaitAsync(TimeSpan.FromSeconds(5)));
        for (var i = 0; i < 2; i++)
        {
            await WaitForTimerAsync(clock);
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True(await ran.WaitAsync(TimeSpan.FromSeconds(5)));
        }

        await host.StopAsync();
        Assert.Equal(3, runs);
    }

    /// <summary>Waits until the timer loop has its periodic timer running, so that moving the clock fires it.</summary>
    private static async Task WaitForTimerAsync(FakeTimeProvider clock)
    {
        for (var i = 0; i < 500 && clock.ActiveTimers == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(clock.ActiveTimers > 0, "the timer loop never started its PeriodicTimer");
    }

    public sealed class Probe
    {
        public TaskCompletionSource<ReceivedMessage> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Guid> Scopes { get; } = [];
    }

    public sealed class ScopedThing
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    public sealed class FlakyHandler(Probe probe, ScopedThing scoped) : IMessageHandler
    {
        public Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            lock (probe.Scopes)
            {
                probe.Scopes.Add(scoped.Id);
            }

            if (message.DeliveryCount == 1)
            {
                return Task.FromResult(HandlerResult.Failure("first delivery fails"));
            }

            probe.Done.TrySetResult(message);
            return Task.FromResult(HandlerResult.Success());
        }
    }
}
