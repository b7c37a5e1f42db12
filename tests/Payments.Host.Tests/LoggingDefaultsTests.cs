using Microsoft.Extensions.Logging;
using Payments.Host.Hosting;

namespace Payments.Host.Tests;

/// <summary>Default logging is not chatty per request: HttpClient's request logs are at Warning unless configured.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class LoggingDefaultsTests(AzuriteFixture azurite)
{
    private const string HandlerCategory = "System.Net.Http.HttpClient.next.LogicalHandler";

    [Fact]
    public async Task HttpClient_request_logs_are_at_Warning_by_default_even_with_everything_else_at_Information()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });
        var loggers = app.Service<ILoggerFactory>();

        Assert.False(loggers.CreateLogger(HandlerCategory).IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger(HandlerCategory).IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger(typeof(Payments.Core.Orders.PaymentService).FullName!).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task HttpClient_request_logs_come_back_by_configuration()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            [$"Logging:LogLevel:{LoggingDefaults.HttpClientCategory}"] = "Information",
        });

        Assert.True(app.Service<ILoggerFactory>().CreateLogger(HandlerCategory).IsEnabled(LogLevel.Information));
    }
}
