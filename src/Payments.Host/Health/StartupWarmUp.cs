using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Storage.Tables;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Payments.Host.Health;

/// <summary>
/// Does start-up's and the first request's slow first-time work on threads of its own, while the thread that starts the
/// host does the rest: on 2 cores the second one is otherwise idle for most of start-up. Never awaited, never fails
/// start-up: what it finds is the health endpoint's to report, and every check on start still runs as before (it only
/// finds its code loaded and compiled, or its result built).
/// </summary>
/// <remarks>
/// Not on the thread pool: Kestrel serves the first request there, and on 2 cores that request waited behind the warm-up
/// work queued ahead of it (about 10 ms in alternating starts of the published app; within bench-startup.sh's run-to-run
/// noise). A thread of its own shares the cores with the request instead.
/// </remarks>
public static class StartupWarmUp
{
    /// <summary>
    /// While the host is being built (right after <c>CreateBuilder</c>, before there are services), with no I/O: the
    /// assemblies the start-up thread is about to load (<see cref="LoadStartAssemblies"/>), the storage
    /// connection string's check (the SDK's client construction), and the JSON stack every answer uses (the serializer, the
    /// web defaults of ASP.NET Core's JSON options, the default encoder), whose first use would otherwise be on the start-up
    /// thread when the exception handler is set up.
    /// </summary>
    public static void BeginEarly() => Start("Start-up warm-up (early)", () =>
    {
        LoadStartAssemblies();
        TableStorageOptionsValidator.WarmUp();
        RuntimeHelpers.RunClassConstructor(typeof(JsonSerializer).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(HttpJsonOptions).TypeHandle);
        _ = JavaScriptEncoder.Default;
    });

    /// <summary>
    /// Loads the assemblies that registration and mapping load on the start-up thread and a bare ASP.NET Core app does not
    /// (OpenAPI and its document model, API Explorer, the app's own, the Azure client factory, Service Bus, the HTTP client
    /// factory, typed results, Scalar, authorization), naming one type of each: the start-up thread then finds most of them
    /// loaded. Measured with alternating starts, published as bench-startup.sh publishes (31 starts each): 264 to 257 ms,
    /// and 261 to 256 ms in a second run.
    /// </summary>
    private static void LoadStartAssemblies()
    {
        Type[] loaded =
        [
            typeof(Microsoft.AspNetCore.OpenApi.OpenApiOptions),
            typeof(Microsoft.OpenApi.OpenApiDocument),
            typeof(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription),
            typeof(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescriptionGroupCollectionProvider),
            typeof(Payments.Storage.StorageRegistration),
            typeof(Microsoft.Extensions.Azure.AzureClientFactoryBuilder),
            typeof(Payments.Messaging.MessagingRegistration),
            typeof(Azure.Messaging.ServiceBus.ServiceBusClient),
            typeof(IHttpClientFactory),
            typeof(Payments.Providers.ProviderRegistration),
            typeof(System.Threading.Channels.Channel),
            typeof(TypedResults),
            typeof(Scalar.AspNetCore.ScalarOptions),
            typeof(Microsoft.AspNetCore.Authorization.Policy.PolicyEvaluator),
        ];
        GC.KeepAlive(loaded);
    }

    /// <summary>
    /// As soon as the service provider exists, while the start-up thread maps the endpoints, on one thread:
    /// <list type="number">
    /// <item>The storage client's first request (<see cref="StorageProbe"/>: one point read, which builds the client's
    /// pipeline and opens a connection) and the health answer's JSON under the app's options, up to the request's send.</item>
    /// <item>While storage answers: what the host's start does first on the start-up thread (<see cref="PrepareHostStart"/>).</item>
    /// </list>
    /// One thread, not one each: on 2 cores a third busy thread took its share of the start-up thread's core. Measured
    /// with alternating starts, published as bench-startup.sh publishes (31 starts each): 332 ms with a thread each, 311
    /// ms with one.
    /// </summary>
    public static void Begin(IServiceProvider services) => Start("Start-up warm-up", () =>
    {
        _ = PrepareFirstRequestAsync(services);
        PrepareHostStart(services);
    });

    private static async Task PrepareFirstRequestAsync(IServiceProvider services)
    {
        try
        {
            var json = services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
            await JsonSerializer.SerializeAsync(Stream.Null, HealthView.Healthy, json);
            await services.GetRequiredService<StorageProbe>().CheckAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogNotYet(services, ex);
        }
    }

    /// <summary>
    /// The host's start resolves every hosted service (their constructors build the outbox publisher, the bus and the
    /// timers with what they depend on) and runs every <c>ValidateOnStart</c> check (binding each options type), on the
    /// start-up thread after the endpoints are mapped. Done here first: the host then finds the singletons built and the
    /// validated options cached. Nothing is skipped: the host resolves and validates again, and a configuration that fails
    /// its check still fails the start there, with the same message (StartupValidationTests).
    /// </summary>
    public static void PrepareHostStart(IServiceProvider services)
    {
        try
        {
            _ = services.GetServices<IHostedService>().Count();
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex)
        {
            LogNotYet(services, ex);
        }
    }

    /// <summary>Runs <paramref name="work"/> on a background thread of its own (see the remarks above); it ends with it.</summary>
    private static void Start(string name, Action work) => new Thread(() => work()) { IsBackground = true, Name = name }.Start();

    private static void LogNotYet(IServiceProvider services, Exception ex)
    {
        try
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupWarmUp))
                .LogDebug("Start-up warm-up: not done ({Error}); the start and the health endpoint report it", ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // The app was disposed without being started (tests that only build it).
        }
    }
}
