using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging.Functions;

/// <summary>
/// Standalone stand-in for the Functions host's timer triggers: runs every registered <see cref="TimerFunction"/> on a
/// <see cref="PeriodicTimer"/> of its period, each run in its own service scope. A failed run is logged and the next
/// tick runs again, as under the host. Runs of one timer never overlap.
/// </summary>
public sealed class TimerFunctionService(IEnumerable<TimerFunction> timers, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<TimerFunctionService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(timers.Select(timer => RunTimerAsync(timer, stoppingToken)));

    private async Task RunTimerAsync(TimerFunction timer, CancellationToken stoppingToken)
    {
        try
        {
            // Off the start-up path: BackgroundService runs ExecuteAsync on the thread that starts the host, and a run
            // on startup would otherwise build the storage client and send its first requests before the server listens.
            await Task.Yield();
            if (timer.RunOnStartup)
            {
                await RunOnceAsync(timer, stoppingToken);
            }

            using var ticks = new PeriodicTimer(timer.Period, clock);
            while (await ticks.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(timer, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunOnceAsync(TimerFunction timer, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await timer.Run(scope.ServiceProvider, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Timer {Function} failed; it runs again in {Period}", timer.FunctionName, timer.Period);
        }
    }
}
