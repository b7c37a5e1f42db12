using Microsoft.Extensions.DependencyInjection;

namespace Payments.Messaging;

/// <summary>
/// A Service Bus triggered function: its name (the custom-handler route <c>/{FunctionName}</c> and the folder of
/// its function.json) and the entity it listens to. The in-process bus subscribes the same handler to the same
/// entity, so standalone runs behave like Azure.
/// </summary>
public sealed record ServiceBusFunction
{
    public ServiceBusFunction(string functionName, string queueOrTopicName, string? subscriptionName = null)
    {
        FunctionNames.Validate(functionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueOrTopicName);
        if (subscriptionName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionName);
        }

        FunctionName = functionName;
        EntityPath = queueOrTopicName;
        SubscriptionName = subscriptionName;
    }

    public string FunctionName { get; }

    /// <summary>The queue, or the topic when <see cref="SubscriptionName"/> is set.</summary>
    public string EntityPath { get; }

    public string? SubscriptionName { get; }
}

/// <summary>
/// A timer triggered function: the Functions host calls <c>POST /{FunctionName}</c> on its NCRONTAB schedule;
/// standalone, a hosted service runs <see cref="Run"/> every <see cref="Period"/>.
/// </summary>
public sealed record TimerFunction
{
    public TimerFunction(string functionName, TimeSpan period, Func<IServiceProvider, CancellationToken, Task> run, bool runOnStartup = false)
    {
        FunctionNames.Validate(functionName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(run);
        FunctionName = functionName;
        Period = period;
        Run = run;
        RunOnStartup = runOnStartup;
    }

    public string FunctionName { get; }

    /// <summary>How often the standalone timer runs it (the host uses the function.json schedule instead).</summary>
    public TimeSpan Period { get; }

    /// <summary>The work; gets a scoped service provider.</summary>
    public Func<IServiceProvider, CancellationToken, Task> Run { get; }

    /// <summary>Standalone only: run once right at start as well.</summary>
    public bool RunOnStartup { get; }
}

public static class FunctionRegistration
{
    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped, keyed by <paramref name="functionName"/>) as the handler of
    /// a function triggered by the queue <paramref name="queueName"/>.
    /// </summary>
    public static IServiceCollection AddServiceBusFunction<THandler>(this IServiceCollection services, string functionName, string queueName)
        where THandler : class, IMessageHandler =>
        services.AddServiceBusFunction<THandler>(new ServiceBusFunction(functionName, queueName));

    /// <summary>As above, for a topic subscription.</summary>
    public static IServiceCollection AddServiceBusFunction<THandler>(this IServiceCollection services, string functionName, string topicName, string subscriptionName)
        where THandler : class, IMessageHandler =>
        services.AddServiceBusFunction<THandler>(new ServiceBusFunction(functionName, topicName, subscriptionName));

    public static IServiceCollection AddServiceBusFunction<THandler>(this IServiceCollection services, ServiceBusFunction function)
        where THandler : class, IMessageHandler
    {
        ArgumentNullException.ThrowIfNull(function);
        services.AddKeyedScoped<IMessageHandler, THandler>(function.FunctionName);
        services.AddSingleton(function);
        return services;
    }

    /// <summary>Registers a timer function (see <see cref="TimerFunction"/>).</summary>
    public static IServiceCollection AddTimerFunction(this IServiceCollection services, string functionName, TimeSpan period,
        Func<IServiceProvider, CancellationToken, Task> run, bool runOnStartup = false)
    {
        services.AddSingleton(new TimerFunction(functionName, period, run, runOnStartup));
        return services;
    }
}

internal static class FunctionNames
{
    /// <summary>Function names are folder names and URL path segments: letters, digits, '-' and '_'.</summary>
    public static void Validate(string functionName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(functionName);
        if (functionName.Length > 127 || !functionName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || !char.IsAsciiLetter(functionName[0]))
        {
            throw new ArgumentException($"'{functionName}' is not a valid function name (a letter, then letters, digits, '-' or '_').", nameof(functionName));
        }
    }
}
