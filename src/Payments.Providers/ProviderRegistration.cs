using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Providers.Mangopay;
using Payments.Providers.NeuroPay;
using Payments.Providers.Next;
using Payments.Providers.Twisto;

namespace Payments.Providers;

public static class ProviderRegistration
{
    /// <summary>
    /// Every payment provider, one line each. A provider registers itself as an
    /// <see cref="Core.Providers.IPaymentProvider"/> singleton when its <c>Providers:{Name}</c> section exists.
    /// </summary>
    public static IServiceCollection AddPaymentProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddNextProvider(configuration);
        services.AddTwistoProvider(configuration);
        services.AddMangopayProvider(configuration);
        services.AddNeuroPayProvider(configuration);
        return services;
    }
}
