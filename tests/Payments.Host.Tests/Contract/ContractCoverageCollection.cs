namespace Payments.Host.Tests.Contract;

/// <summary>Runs after every parallel test collection of this assembly (xUnit runs non-parallel collections last).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ContractCoverageCollection
{
    public const string Name = "Contract coverage (after every other host test)";
}
