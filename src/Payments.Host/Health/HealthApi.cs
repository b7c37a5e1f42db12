using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Host.Api;

namespace Payments.Host.Health;

public sealed record HealthView(string Status, IReadOnlyDictionary<string, string> Checks)
{
    /// <summary>The answer when storage answered: <c>{"status":"healthy","checks":{"storage":"ok"}}</c>.</summary>
    public static HealthView Healthy { get; } = new("healthy", new Dictionary<string, string> { ["storage"] = "ok" });
}

/// <summary>The answer to the Functions host's readiness probe: <c>{"status":"ready"}</c>.</summary>
public sealed record ReadyView(string Status)
{
    public static ReadyView Ready { get; } = new("ready");
}

/// <summary>
/// The health answers' JSON contract, generated at build time: a cold start's first answer is a health answer, and the
/// reflection-based serializer would first build their metadata from attributes and converters (about 10 ms of the start's
/// CPU, measured with bench-startup.sh). Used through the app's JSON options (<see cref="Hosting.ServiceRegistration"/>), so
/// names and null handling are those of every other answer; other types still use the reflection-based contract.
/// </summary>
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(ReadyView))]
public sealed partial class HealthJsonContext : JsonSerializerContext;

/// <summary><c>GET /api/health</c> (liveness and readiness: storage reachable) and <c>GET /</c> (the Functions host's probe).</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", CheckAsync).WithName("Health")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "unhealthy");

        // The Functions host polls the custom handler until it answers; it must answer with a JSON body.
        app.MapGet("/", () => TypedResults.Ok(ReadyView.Ready)).ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<Ok<HealthView>, ProblemHttpResult>> CheckAsync(StorageProbe storage, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            // A point read of an id that never exists: proves the account answers and the credentials work.
            await storage.CheckAsync(cancellationToken);
            return TypedResults.Ok(HealthView.Healthy);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(HealthApi)).LogWarning(ex, "Health check: storage unreachable");
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "unhealthy", "Storage is unreachable.",
                "Table Storage did not answer; see the logs.", new Dictionary<string, object?> { ["checks"] = new Dictionary<string, string> { ["storage"] = "unreachable" } });
        }
    }
}
