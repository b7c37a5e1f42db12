using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Storage.Tables;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Payments.Host.Health;

/// <summary>
/// Does start-up's and the first request's slow first-time work on the thread pool, while the thread that starts the host
/// does the rest: on 2 cores the second one is otherwise idle for most of start-up. Never awaited, never fails start-up:
/// what it finds is the health endpoint's to report, and every check on start still runs as before (it only finds its
/// code loaded and compiled).
/// </summary>
public static class StartupWarmUp
{
    /// <summary>
    /// While the host is being built (right after <c>CreateBuilder</c>, before there are services): what the checks on start
    /// need compiled, with no I/O: the storage connection string's check (the SDK's client construction).
    /// </summary>
    public static void BeginEarly() => _ = Task.Run(TableStorageOptionsValidator.WarmUp);

    /// <summary>
    /// As soon as the service provider exists (before the endpoints are mapped, the options validated and the server
    /// started): the storage client's first request (<see cref="StorageProbe"/>: one point read, which builds the client's
    /// pipeline and opens a connection) and the health answer's JSON metadata under the app's options. The probe (and with
    /// it the storage client) is resolved on the thread pool too.
    /// </summary>
    public static void Begin(IServiceProvider services) => _ = Task.Run(async () =>
    {
        try
        {
            var json = services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
            await JsonSerializer.SerializeAsync(Stream.Null, HealthView.Healthy, json);
            await services.GetRequiredService<StorageProbe>().CheckAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupWarmUp))
                .LogDebug("Start-up warm-up: no answer yet ({Error}); the health endpoint reports it", ex.Message);
        }
    });
}
