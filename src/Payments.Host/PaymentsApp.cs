using Microsoft.AspNetCore.Diagnostics;
using Payments.Host.Api;
using Payments.Host.Charges;
using Payments.Host.Customers;
using Payments.Host.Diagnostics;
using Payments.Host.Health;
using Payments.Host.Hosting;
using Payments.Host.Orders;
using Payments.Host.Returns;
using Payments.Host.Telemetry;
using Payments.Host.Webhooks;
using Payments.Messaging.Functions;
using Payments.Sandbox;

namespace Payments.Host;

/// <summary>Composes the custom handler. <c>Program</c> and the tests both build the app through here.</summary>
public static class PaymentsApp
{
    /// <summary>
    /// The handler's configuration is its environment (app settings) and command line; no appsettings file ships. The default
    /// builder would still watch the content root for changes to those files: an inotify watch on every folder under it (the
    /// function folders included), set up on the start-up thread before anything else. Given first, so a command line that
    /// sets the key still wins.
    /// </summary>
    private const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder([NoConfigurationReload, .. args]);

        // Start-up's slow first-time work, on the otherwise idle second core while this thread builds the host (not
        // before CreateBuilder: alongside it, the runtime's type loading serializes both and the builder took longer).
        StartupWarmUp.BeginEarly();
        LoggingDefaults.Apply(builder.Configuration);
        configure?.Invoke(builder);
        FunctionsHost.ConfigureUrls(builder);
        ServiceRegistration.ApplyDerivedDefaults(builder.Configuration);
        builder.Services.AddPaymentsHost(builder.Configuration);
        builder.Services.AddPaymentsTelemetry(builder.Configuration);

        var app = builder.Build();
        StartupWarmUp.Begin(app.Services);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteUnhandledProblemAsync,

            // A storage outage or a busy order is expected and passes: one warning line each (below), not a stack trace.
            SuppressDiagnosticsCallback = c => Problems.Transient(c.Exception) is not null,
        });
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        app.UseStorageRoundTripsDiagnostics();

        app.MapHealthApi();
        app.MapOrdersApi();
        app.MapOrderOperationsApi();
        app.MapChargesApi();
        app.MapReturnApi();
        app.MapWebhooksApi();
        app.MapCustomersApi();
        app.MapPaymentsOpenApi();
        if (ServiceRegistration.SandboxEnabled(app.Configuration))
        {
            app.MapSandbox();
        }

        // POST /{FunctionName} runs a handler on whatever is posted: only where the Functions host is the only caller
        // (it is, under the host: the server then listens on 127.0.0.1). Standalone, the in-process bus and the timer
        // service run the same handlers.
        if (ServiceRegistration.UnderFunctionsHost(app.Configuration))
        {
            app.MapRegisteredFunctions();
        }

        return app;
    }

    /// <summary>
    /// The last line of defence: a problem response without internals. A client's malformed request that
    /// Kestrel rejects keeps its 4xx status; storage that cannot be reached is a <c>503 storage-unavailable</c> and an
    /// order that kept changing under every write a <c>409 order-busy</c>, both with <c>Retry-After</c> (so API callers
    /// and providers' webhooks send again; see <see cref="Problems.Transient"/>); anything else is a 500 and is logged.
    /// </summary>
    private static async Task WriteUnhandledProblemAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (Problems.Transient(error) is { } transient)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PaymentsApp))
                .LogWarning("{Method} {Path}: {Status}, Retry-After {RetryAfter} s ({Error})",
                    context.Request.Method, context.Request.Path.Value, transient.StatusCode, transient.RetryAfterSeconds, error!.Message);
        }

        IResult result = error is BadHttpRequestException bad
            ? Problems.Problem(bad.StatusCode, "bad-request", "The request could not be read.", "The request was malformed or too large.")
            : Problems.Transient(error) as IResult
              ?? Problems.Problem(StatusCodes.Status500InternalServerError, "internal-error", "An unexpected error occurred.",
                  $"Quote trace id {context.TraceIdentifier} when reporting this.");
        await result.ExecuteAsync(context);
    }
}
