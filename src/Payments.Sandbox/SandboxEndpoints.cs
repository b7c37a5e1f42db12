using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Sandbox.Mangopay;
using Payments.Sandbox.NeuroPay;
using Payments.Sandbox.Next;

namespace Payments.Sandbox;

/// <summary>
/// The provider simulators, mounted under <c>/sandbox/{provider}</c> by the host only when <c>Sandbox:Enabled</c>
/// (never in Azure). Each simulates the provider's documented API and hosted payment page closely enough that
/// the real provider client runs unchanged against it. Adding a provider: one folder, one line in each method.
/// </summary>
public static class SandboxEndpoints
{
    public const string Prefix = "/sandbox";

    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddNextSandbox();
        services.AddTwistoSandbox();
        services.AddMangopaySandbox();
        services.AddNeuroPaySandbox();
        return services;
    }

    public static IEndpointRouteBuilder MapSandbox(this IEndpointRouteBuilder app)
    {
        app.MapNextSandbox($"{Prefix}/next");
        app.MapTwistoSandbox($"{Prefix}/twisto");
        app.MapMangopaySandbox($"{Prefix}/mangopay");
        app.MapNeuroPaySandbox($"{Prefix}/neuropay");
        return app;
    }
}
