using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging.Functions;

/// <summary>
/// The custom-handler invocation endpoints: the Functions host POSTs each trigger invocation to <c>/{FunctionName}</c>
/// (not under <c>/api</c>) and needs a JSON answer: 200 when the work is done, non-2xx when it failed (for Service Bus:
/// abandon → redelivery → dead-letter after MaxDeliveryCount).
/// </summary>
/// <remarks>
/// These routes run handlers on whatever is posted to them. Under the Functions host the server listens on 127.0.0.1
/// only and the host is the only caller; standalone, map them only if the port is not reachable by others (the
/// in-process bus and <see cref="TimerFunctionService"/> run the same handlers without them).
/// </remarks>
public static class FunctionEndpoints
{
    /// <summary>The largest invocation request read (Service Bus Premium allows 100 MB messages; ours are small).</summary>
    public const int MaxEnvelopeBytes = 4 * 1024 * 1024;

    private const string LoggerCategory = "Payments.Messaging.Functions";

    /// <summary>
    /// Maps <c>POST /{functionName}</c> for a <c>serviceBusTrigger</c> whose binding is named <paramref name="bindingName"/>:
    /// decodes the envelope, runs the <see cref="IMessageHandler"/> registered for the function
    /// (<see cref="FunctionRegistration.AddServiceBusFunction{THandler}(IServiceCollection, string, string)"/>),
    /// and answers 200 JSON on success, 500 JSON when the handler failed or threw, 400 JSON on an undecodable envelope.
    /// </summary>
    public static IEndpointConventionBuilder MapServiceBusTrigger(this IEndpointRouteBuilder endpoints, string functionName, string bindingName,
        TriggerDataType dataType = TriggerDataType.Text)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        FunctionNames.Validate(functionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(bindingName);
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsKeyedService>() is { } isKeyed
            && !isKeyed.IsKeyedService(typeof(IMessageHandler), functionName))
        {
            throw new InvalidOperationException(
                $"No IMessageHandler is registered for function '{functionName}'; call services.AddServiceBusFunction<THandler>(\"{functionName}\", …).");
        }

        return endpoints.MapPost("/" + functionName, context => HandleServiceBusAsync(context, functionName, bindingName, dataType))
            .WithDisplayName($"Function {functionName} (serviceBusTrigger)");
    }

    /// <summary>
    /// Maps <c>POST /{functionName}</c> for a <c>timerTrigger</c>: runs <paramref name="run"/> with the request's scoped
    /// services and answers 200 JSON, or 500 JSON when it threw (the host logs the failure; the next tick runs again).
    /// </summary>
    public static IEndpointConventionBuilder MapTimerTrigger(this IEndpointRouteBuilder endpoints, string functionName,
        Func<IServiceProvider, CancellationToken, Task> run, string bindingName = "timer")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        FunctionNames.Validate(functionName);
        ArgumentNullException.ThrowIfNull(run);
        return endpoints.MapPost("/" + functionName, context => HandleTimerAsync(context, functionName, bindingName, run))
            .WithDisplayName($"Function {functionName} (timerTrigger)");
    }

    /// <summary>Maps <c>POST /{functionName}</c> for a timer registered with <see cref="FunctionRegistration.AddTimerFunction"/>.</summary>
    public static IEndpointConventionBuilder MapTimerTrigger(this IEndpointRouteBuilder endpoints, string functionName, string bindingName = "timer")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var timer = endpoints.ServiceProvider.GetServices<TimerFunction>().FirstOrDefault(t => t.FunctionName == functionName)
            ?? throw new InvalidOperationException($"No timer function '{functionName}' is registered; call services.AddTimerFunction(\"{functionName}\", …).");
        return endpoints.MapTimerTrigger(functionName, timer.Run, bindingName);
    }

    /// <summary>
    /// Maps every registered Service Bus function (binding named <paramref name="serviceBusBindingName"/>) and timer
    /// function (binding named <paramref name="timerBindingName"/>); the function.json files must use the same names.
    /// </summary>
    public static IEndpointRouteBuilder MapRegisteredFunctions(this IEndpointRouteBuilder endpoints, string serviceBusBindingName = "message",
        string timerBindingName = "timer")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var function in endpoints.ServiceProvider.GetServices<ServiceBusFunction>())
        {
            endpoints.MapServiceBusTrigger(function.FunctionName, serviceBusBindingName);
        }

        foreach (var timer in endpoints.ServiceProvider.GetServices<TimerFunction>())
        {
            endpoints.MapTimerTrigger(timer.FunctionName, timer.Run, timerBindingName);
        }

        return endpoints;
    }

    private static async Task HandleServiceBusAsync(HttpContext context, string functionName, string bindingName, TriggerDataType dataType)
    {
        var logger = Logger(context);
        ReceivedMessage message;
        try
        {
            var invocation = await ReadInvocationAsync(context);
            message = ServiceBusTriggerDecoder.Decode(invocation, bindingName, dataType);
        }
        catch (InvocationEnvelopeException ex)
        {
            logger.LogWarning("Function {Function}: undecodable invocation request: {Error}", functionName, ex.Message);
            await InvocationResponse.WriteAsync(context.Response, StatusCodes.Status400BadRequest, [$"{functionName}: invalid invocation request: {ex.Message}"]);
            return;
        }

        // Continues the sender's trace from the message's Diagnostic-Id / traceparent (the host's request span is linked).
        var activity = MessageTracing.StartProcess(message, functionName);
        HandlerResult result;
        try
        {
            var handler = context.RequestServices.GetRequiredKeyedService<IMessageHandler>(functionName);
            result = await handler.HandleAsync(message, context.RequestAborted);
            MessageTracing.Stop(activity, result);
        }
        catch (OperationCanceledException ex) when (context.RequestAborted.IsCancellationRequested)
        {
            MessageTracing.Stop(activity, null, ex);
            throw;
        }
        catch (Exception ex)
        {
            MessageTracing.Stop(activity, null, ex);
            logger.LogError(ex, "Function {Function}: handler threw on message {MessageId} (delivery {DeliveryCount})",
                functionName, message.MessageId, message.DeliveryCount);
            result = HandlerResult.Failure($"{ex.GetType().Name}: {ex.Message}");
        }

        if (result.Succeeded)
        {
            await InvocationResponse.WriteAsync(context.Response, StatusCodes.Status200OK,
                [$"{functionName}: message {message.MessageId} handled (delivery {message.DeliveryCount})"]);
            return;
        }

        logger.LogWarning("Function {Function}: message {MessageId} failed on delivery {DeliveryCount}: {Reason}",
            functionName, message.MessageId, message.DeliveryCount, result.Reason);
        await InvocationResponse.WriteAsync(context.Response, StatusCodes.Status500InternalServerError,
            [$"{functionName}: message {message.MessageId} failed on delivery {message.DeliveryCount}: {result.Reason}"]);
    }

    private static async Task HandleTimerAsync(HttpContext context, string functionName, string bindingName, Func<IServiceProvider, CancellationToken, Task> run)
    {
        var logger = Logger(context);
        TimerInfo timer;
        try
        {
            timer = TimerTriggerDecoder.Decode(await ReadInvocationAsync(context), bindingName);
        }
        catch (InvocationEnvelopeException ex)
        {
            logger.LogWarning("Function {Function}: undecodable invocation request: {Error}", functionName, ex.Message);
            await InvocationResponse.WriteAsync(context.Response, StatusCodes.Status400BadRequest, [$"{functionName}: invalid invocation request: {ex.Message}"]);
            return;
        }

        try
        {
            await run(context.RequestServices, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Function {Function}: timer run failed", functionName);
            await InvocationResponse.WriteAsync(context.Response, StatusCodes.Status500InternalServerError,
                [$"{functionName}: failed: {ex.GetType().Name}: {ex.Message}"]);
            return;
        }

        await InvocationResponse.WriteAsync(context.Response, StatusCodes.Status200OK,
            [$"{functionName}: done{(timer.IsPastDue ? " (past due)" : string.Empty)}"]);
    }

    private static async Task<FunctionInvocation> ReadInvocationAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxEnvelopeBytes)
        {
            throw new InvocationEnvelopeException($"The invocation request is larger than {MaxEnvelopeBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxEnvelopeBytes)
            {
                throw new InvocationEnvelopeException($"The invocation request is larger than {MaxEnvelopeBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var invocationId = request.Headers[FunctionInvocation.InvocationIdHeader].FirstOrDefault();
        return FunctionInvocation.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), invocationId);
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory);
}
