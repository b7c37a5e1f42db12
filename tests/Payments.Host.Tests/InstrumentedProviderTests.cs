using Payments.Core.Providers;
using Payments.Host.Telemetry;
using Payments.Providers.Next;

namespace Payments.Host.Tests;

/// <summary>
/// The telemetry wrapper around each provider (<see cref="InstrumentedProvider"/>, on whenever telemetry is) must answer
/// every question exactly as the provider does. It once left two defaulted members to their interface defaults, so with
/// telemetry on NEXT looked like a provider with a reference lookup: every shopper return wrote a lookup row (a third
/// storage round trip before the 303) and a webhook that came before the return searched that table instead of the
/// NEXT order's metadata, and found nothing.
/// </summary>
public class InstrumentedProviderTests
{
    [Fact]
    public void Every_port_member_is_implemented_by_the_wrapper_itself_none_is_left_to_an_interface_default()
    {
        var wrapper = typeof(InstrumentedProvider);
        var leftOut = wrapper.GetInterfaces()
            .SelectMany(port => wrapper.GetInterfaceMap(port).TargetMethods.Select(target => (Port: port, Target: target)))
            .Where(m => m.Target.DeclaringType != wrapper)
            .Select(m => $"{m.Port.Name}.{m.Target.Name}")
            .ToList();

        Assert.Empty(leftOut);
    }

    [Fact]
    public async Task With_telemetry_on_every_provider_keeps_its_own_reference_lookup_choice_and_NEXT_finds_a_webhooks_order_itself()
    {
        await using var app = PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Security:SigningKey"] = new string('k', 40),
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["PublicBaseUrl"] = "http://localhost:7071",
            ["Telemetry:Enabled"] = "true",
        }));

        var providers = app.Services.GetRequiredService<ProviderCatalog>().All.ToList();
        Assert.NotEmpty(providers);
        foreach (var provider in providers)
        {
            // Through the interface, as PaymentService asks.
            Assert.Equal(Assert.IsType<InstrumentedProvider>(provider).Inner.NeedsReferenceLookup, provider.NeedsReferenceLookup);
        }

        var next = Assert.Single(providers, p => p.Name == NextProvider.ProviderName);
        Assert.False(next.NeedsReferenceLookup);
    }
}
