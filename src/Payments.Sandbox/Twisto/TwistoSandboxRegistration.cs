using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Sandbox.Twisto;

// In the parent namespace so that SandboxEndpoints needs one line per method for Twisto, and no using.
namespace Payments.Sandbox;

public static class TwistoSandboxRegistration
{
    /// <summary>The simulated Twisto's state, its settings (<c>Sandbox:Twisto</c>) and the client it sends webhooks with.</summary>
    public static IServiceCollection AddTwistoSandbox(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TwistoSandboxOptions>().BindConfiguration(TwistoSandboxOptions.SectionName);
        services.AddHttpClient(TwistoSandboxState.WebhookClientName);
        services.TryAddSingleton<TwistoSandboxState>();
        return services;
    }

    /// <summary>Mounts the simulated Twisto API and gateway under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapTwistoSandbox(this IEndpointRouteBuilder app, string prefix) => app.MapTwistoSandboxRoutes(prefix);
}
