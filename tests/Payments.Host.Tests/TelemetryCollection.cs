namespace Payments.Host.Tests;

/// <summary>
/// One full payment (create, the shopper's return, the storefront webhook fan-out, an upsell) through the in-memory
/// exporters: its spans form one trace (the parts that run from the bus are joined only by the context in the messages:
/// the bus is drained outside the storefront's span), the Payments metrics moved by exactly what happened, every log line
/// of it carries the order id, and nothing exported contains a secret or the shopper's e-mail or phone.
/// </summary>
/// <summary>
/// Runs alone, after the parallel collections (xUnit runs non-parallel collections last, one at a time): the
/// <c>Payments</c> meter and the ASP.NET Core and HttpClient sources are process-wide, so the payment's exact counts and
/// spans must not pick up another test's app running at the same time. It has its own Azurite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Telemetry (alone)";
}
