using Payments.Testing;

namespace Payments.Providers.Tests;

/// <summary>
/// One name per role in every provider folder, so that a change to one provider shows where the same change goes in
/// the others: <c>{Name}Options</c>, <c>Client</c>, <c>Wire</c>, <c>OrderMapping</c>, <c>StatusMapping</c>,
/// <c>Callbacks</c>, <c>Provider</c> and <c>Registration</c>, each a file (a partial's parts and a wire family's
/// files named <c>{Name}{Role}.{Part}.cs</c>) and, but for the wire records, a type of that name. Other files in the
/// folder are free (a provider's own concerns: tokens, idempotency keys, response readers), but carry the provider's name.
/// </summary>
/// <remarks>
/// The one place for the provider folder conventions. What needs the built app (every provider registered, with a
/// sandbox, claiming exactly the capabilities it implements) is checked by <c>ProviderCatalogTests</c> in the host's tests.
/// </remarks>
public sealed class ProviderConventionsTests
{
    /// <summary>The roles every provider folder has, as files; all but <c>Wire</c> also as types.</summary>
    public static readonly IReadOnlyList<string> Roles =
        ["Options", "Client", "Wire", "OrderMapping", "StatusMapping", "Callbacks", "Provider", "Registration"];

    private static readonly Type[] ProviderTypes = typeof(ProviderRegistration).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPaymentProvider).IsAssignableFrom(t))
        .ToArray();

    private static readonly string[] Names = [.. ProviderTypes.Select(t => t.Namespace!.Split('.')[^1]).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Providers() => [.. Names];

    [Fact]
    public void There_are_the_four_providers()
    {
        Assert.Equal(["Mangopay", "NeuroPay", "Next", "Twisto"], Names);
    }

    /// <summary>From the provider types' side: each sits in <c>Payments.Providers.{Name}</c> beside its options, status mapping and client.</summary>
    [Fact]
    public void Every_provider_lives_in_its_own_folder_with_options_a_status_mapping_and_a_client()
    {
        Assert.NotEmpty(ProviderTypes);
        foreach (var provider in ProviderTypes)
        {
            var folder = provider.Namespace!;
            var name = folder.Split('.')[^1];
            Assert.Equal($"Payments.Providers.{name}", folder);
            var types = provider.Assembly.GetTypes().Where(t => t.Namespace == folder).Select(t => t.Name).ToHashSet();
            Assert.Contains($"{name}Options", types);
            Assert.Contains($"{name}StatusMapping", types);
            Assert.Contains($"{name}Client", types);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_provider_folder_has_a_file_and_a_type_for_each_role(string name)
    {
        var folder = ProviderFolder(name);
        var files = Directory.GetFiles(folder, "*.cs").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var types = typeof(ProviderRegistration).Assembly.GetTypes()
            .Where(t => t.Namespace == $"Payments.Providers.{name}").Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(Roles, role => Assert.True(files.Contains($"{name}{role}.cs"), $"{folder} has no {name}{role}.cs"));
        Assert.All(Roles.Where(r => r != "Wire"), role => Assert.True(types.Contains($"{name}{role}"), $"Payments.Providers.{name} has no type {name}{role}"));
        Assert.Contains(ProviderTypes, t => t.Name == $"{name}Provider" && t.Namespace == $"Payments.Providers.{name}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_file_in_a_provider_folder_carries_the_providers_name(string name)
    {
        var folder = ProviderFolder(name);
        Assert.All(Directory.GetFiles(folder, "*.cs"), file =>
            Assert.StartsWith(name, Path.GetFileName(file), StringComparison.Ordinal));
    }

    /// <summary><c>src/Payments.Providers/{name}</c> of this checkout; a missing one fails the test (it is never skipped).</summary>
    private static string ProviderFolder(string name)
    {
        var root = AzuriteFixture.RepositoryRoot();
        Assert.True(root is not null, "The repository root (the folder with Functions.sln) was not found above the test binaries.");
        var folder = Path.Combine(root, "src", "Payments.Providers", name);
        Assert.True(Directory.Exists(folder), $"{folder} does not exist");
        return folder;
    }
}
