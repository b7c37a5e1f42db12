using Payments.Host.Hosting;
using Payments.Storage;
using Payments.Storage.Tables;

namespace Payments.Host.Diagnostics;

/// <summary>
/// The storage round-trip counter (<see cref="StorageRoundTrips"/>) for benchmarks, behind <c>Diagnostics:StorageRoundTrips</c>
/// (default off; refused in Azure, like the sandbox). When on, every inbound request is a scope named after its endpoint
/// (<c>ShopperReturn</c>, <c>CreateOrder</c>, …), its response carries <see cref="HeaderName"/> (the storage requests made
/// before it started), and <c>GET /diagnostics/storage-round-trips</c> answers the counts per endpoint, background work
/// the requests started included. When off, nothing of this is registered or mapped: the wire is unchanged.
/// </summary>
public static class StorageRoundTripsDiagnostics
{
    public const string Setting = "Diagnostics:StorageRoundTrips";
    public const string HeaderName = "Storage-Round-Trips";
    public const string Route = "/diagnostics/storage-round-trips";

    /// <summary>True when the setting is on; throws when it is on in Azure (a diagnostic of local runs only).</summary>
    public static bool Enabled(IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>(Setting))
        {
            return false;
        }

        if (FunctionsHost.IsInAzure(configuration))
        {
            throw new InvalidOperationException($"{Setting} is refused when running in Azure: it is a diagnostic for local benchmarks.");
        }

        return true;
    }

    public static IServiceCollection AddStorageRoundTripsDiagnostics(this IServiceCollection services, IConfiguration configuration) =>
        Enabled(configuration) ? services.AddStorageRoundTrips() : services;

    /// <summary>The per-request scope and the read-out endpoint, when the counter is registered; otherwise nothing.</summary>
    public static WebApplication UseStorageRoundTripsDiagnostics(this WebApplication app)
    {
        if (app.Services.GetService<StorageRoundTrips>() is not { } roundTrips)
        {
            return app;
        }

        app.Use(async (context, next) =>
        {
            // Begun in this async lambda: storage calls of the endpoint, and the work it starts, see the scope.
            var scope = roundTrips.Begin(context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "other");
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[HeaderName] = scope.MarkResponded().ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            await next(context);
            scope.MarkResponded();
        });
        app.MapGet(Route, () => TypedResults.Ok(roundTrips.Snapshot())).ExcludeFromDescription();
        return app;
    }
}
