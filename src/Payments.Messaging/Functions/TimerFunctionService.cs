using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging.Functions;

/// <summary>
/// Standalone stand-in for the Functions host's timer triggers: runs every registered <see cref="TimerFunction"/> on a
/// <see cref="PeriodicTimer"/> of its period, each run in its own service scope. A failed run is logged and the next
/// tick runs again, as under the host. Runs of one timer never overlap.
/// </summary>
/// <remarks>
/// A timer that runs on startup (<see cref="TimerFunction.RunOnStartup"/>) runs once the server is listening
/// (<see cref="IHostApplicationLifetime.ApplicationStarted"/>) and <see cref="StartupRunDelay"/> later: a cold start
/// serves its first requests first, instead of sharing the CPU with a sweep that builds the storage client and
/// queries a table at the same moment. What such a run picks up (an outbox row a crash left behind) waits a second
/// longer; nothing it would have found is lost.
/// </remarks>
public sealed class TimerFunctionService(IEnumerable<TimerFunction> timers, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<TimerFunctionService> logger, IHostApplicationLifetime? lifetime = null) : BackgroundService
{
    /// <summary>
    /// How long after the server started a startup run waits. Wall-clock time of the process (not the injected clock,
    /// which schedules the periods): it is about the CPU of a cold start, not about when the work is due.
    /// </summary>
    public static readonly TimeSpan StartupRunDelay = TimeSpan.FromSeconds(1);

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
                await AfterStartAsync(stoppingToken);
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

    private async Task AfterStartAsync(CancellationToken stoppingToken)
    {
        if (lifetime is not null)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                await started.Task;
            }
        }

        await Task.Delay(StartupRunDelay, TimeProvider.System, stoppingToken);
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
