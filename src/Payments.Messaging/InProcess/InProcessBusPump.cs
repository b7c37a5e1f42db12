using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging.InProcess;

/// <summary>Runs the in-process bus's deliveries in the background for the life of the app.</summary>
public sealed class InProcessBusPump(InProcessBus bus, TimeProvider clock, ILogger<InProcessBusPump> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("In-process message bus started (no ServiceBus configuration)");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Waits first: the bus is empty when the app starts (it lives in memory), and a message sent before the
                // pump started has signalled it, so nothing waits longer. A cold start then leaves this until a message comes.
                await bus.WaitForWorkAsync(stoppingToken);
                await bus.ProcessDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "In-process message bus pump failed; resuming in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
