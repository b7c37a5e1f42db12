namespace Payments.Host.Health;

/// <summary>
/// Makes the storage client's first request (<see cref="StorageProbe"/>: one point read) while the server starts, on the
/// thread pool, so that the first request that needs storage (a health probe, a create, a shopper's return) finds the
/// client's pipeline built and compiled and a connection open, instead of paying for them itself. Never awaited by start-up,
/// never fails it: what it finds is the health endpoint's to report. The probe (and with it the storage client) is resolved
/// on the thread pool too, not on the thread that starts the host.
/// </summary>
public sealed class StorageWarmUp(IServiceProvider services, ILogger<StorageWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await services.GetRequiredService<StorageProbe>().CheckAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogDebug("Storage warm-up: no answer yet ({Error}); the health endpoint reports it", ex.Message);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
