using Microsoft.AspNetCore.Routing;
using Payments.Core.Providers;
using Payments.Providers;

namespace Payments.Host.Tests;

/// <summary>
/// What only the built app shows about the providers: every provider in the assembly is registered in the
/// <see cref="ProviderCatalog"/> with a sandbox, claims exactly the capabilities it implements, and states itself
/// whether its session create can be repeated.
/// </summary>
/// <remarks>
/// The provider folder conventions (one folder per provider, one name per role) are checked without an app by
/// <c>ProviderConventionsTests</c> in Payments.Providers.Tests.
/// </remarks>
public class ProviderCatalogTests
{
    private static readonly Type[] ProviderTypes = typeof(ProviderRegistration).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPaymentProvider).IsAssignableFrom(t))
        .ToArray();

    private static WebApplication App() => PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sandbox:Enabled"] = "true", // the sandbox defaults configure every provider
        ["Security:SigningKey"] = new string('k', 40),
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["PublicBaseUrl"] = "http://localhost:7071",
    }));

    [Fact]
    public async Task Only_Mangopay_says_its_session_create_can_be_repeated_since_only_it_sends_a_key_derived_from_our_order_id()
    {
        await using var app = App();
        var idempotent = app.Services.GetRequiredService<ProviderCatalog>().All
            .ToDictionary(p => p.Name, p => p.SessionCreationIsIdempotent, StringComparer.Ordinal);

        // Each provider states it itself, not by the interface's default.
        foreach (var provider in ProviderTypes)
        {
            Assert.NotNull(provider.GetProperty(nameof(IPaymentProvider.SessionCreationIsIdempotent)));
        }

        Assert.Equal(new Dictionary<string, bool> { ["mangopay"] = true, ["neuropay"] = false, ["next"] = false, ["twisto"] = false },
            idempotent.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public async Task Every_provider_is_registered_with_a_sandbox_and_claims_what_it_implements()
    {
        await using var app = App();
        var catalog = app.Services.GetRequiredService<ProviderCatalog>();
        var sandboxRoutes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!).Where(r => r.StartsWith("/sandbox/", StringComparison.Ordinal)).ToList();

        Assert.Equal(ProviderTypes.Length, catalog.All.Count());
        foreach (var provider in catalog.All)
        {
            Assert.Contains(provider.GetType(), ProviderTypes);
            Assert.Contains(sandboxRoutes, r => r.StartsWith($"/sandbox/{provider.Name}/", StringComparison.Ordinal));

            var caps = provider.Capabilities;
            Assert.True(caps.HasFlag(ProviderCapabilities.Create) && caps.HasFlag(ProviderCapabilities.Return), $"{provider.Name} must create and confirm returns");
            Assert.Equal(caps.HasFlag(ProviderCapabilities.Webhook), provider is IWebhookReceiver);
            Assert.Equal(caps.HasFlag(ProviderCapabilities.Customers), provider is ICustomerVault);
            var operations = caps & (ProviderCapabilities.Capture | ProviderCapabilities.Refund | ProviderCapabilities.Cancel);
            Assert.Equal(operations != ProviderCapabilities.None, provider is IPaymentOperations);
            var charges = caps & (ProviderCapabilities.Upsell | ProviderCapabilities.Recurring);
            Assert.Equal(charges != ProviderCapabilities.None, provider is IChargeOperations);
        }
    }
}
