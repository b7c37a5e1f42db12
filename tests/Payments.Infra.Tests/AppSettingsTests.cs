using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Infra.Tests.Infra;

namespace Payments.Infra.Tests;

/// <summary>
/// The app's configuration keys, infra-bicep/app-settings.json and main.bicep's app settings agree.
/// Everything is read from the repository as it is now, so new settings and functions are checked as they
/// arrive: a key the code reads must be listed in the manifest, and a listed key must be set by the template
/// (unless its code default is right, the platform provides it, or it must never be set in Azure).
/// </summary>
public partial class AppSettingsTests
{
    private static AppSettingsManifest Manifest() => AppSettingsManifest.Load(Repo.AppSettingsManifest);

    private static BicepTemplate MainTemplate() => BicepTemplate.Load(Repo.MainBicep);

    [Fact]
    public void The_manifest_is_well_formed()
    {
        var problems = InfraChecks.ManifestProblems(Manifest(), new ArmTemplate(BicepCli.MainArm).Parameters().Keys);
        Assert.True(problems.Count == 0, Report("infra-bicep/app-settings.json", problems));
    }

    [Fact]
    public void Main_bicep_sets_every_setting_the_manifest_lists_and_nothing_it_does_not()
    {
        var problems = InfraChecks.SettingsProblems(Manifest(), MainTemplate());
        Assert.True(problems.Count == 0, Report("main.bicep app settings vs infra-bicep/app-settings.json", problems));
    }

    [Fact]
    public void Every_configuration_key_the_sources_name_is_in_the_manifest()
    {
        var manifest = Manifest();
        var reads = SourceConfigurationScanner.Scan(Repo.SrcDir, manifest.Settings.Select(s => ConfigKey.Segments(s.Key)[0]));
        Assert.Contains(reads, r => r.Key == "Security"); // the scan sees BindConfiguration("Security")
        var problems = InfraChecks.CoverageProblems(manifest, reads);
        Assert.True(problems.Count == 0, Report("configuration keys named in src/", problems));
    }

    [Fact]
    public void Every_key_the_app_binds_into_its_options_is_in_the_manifest()
    {
        var manifest = Manifest();
        var probe = ConfigurationProbe.Run(manifest);

        // The probe works: it saw the security options bind their signing key.
        Assert.Contains("Security:SigningKey", probe.Keys, StringComparer.OrdinalIgnoreCase);

        var problems = InfraChecks.CoverageProblems(manifest, probe.Keys.Select(k => new ConfigurationRead(k, "bound by an options class")));
        Assert.True(problems.Count == 0, Report(
            $"keys bound by the app's options ({string.Join(", ", probe.OptionsTypes.Select(t => t.Split('.')[^1]))})",
            problems.Concat(probe.Notes.Select(n => "note: " + n)).ToList()));
    }

    [Fact]
    public void The_deploy_guide_says_how_to_set_every_Key_Vault_secret()
    {
        var guide = File.ReadAllText(Repo.DeployGuide);
        var missing = Manifest().Settings
            .Where(s => s.Source == "keyvault" && s.Secret is not null)
            .Select(s => s.Secret!.Replace(ConfigKey.Index, "0", StringComparison.Ordinal))
            .Where(secret => !guide.Contains(secret, StringComparison.Ordinal))
            .ToList();
        Assert.True(missing.Count == 0, "infra-bicep/README.md does not show `az keyvault secret set` for: " + string.Join(", ", missing));
    }

    [Fact]
    public void No_secret_passes_through_a_template_or_the_parameters_file()
    {
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Repo.InfraDir, "*.bicep", SearchOption.AllDirectories))
        {
            if (File.ReadAllText(file).Contains("@secure()", StringComparison.Ordinal))
            {
                problems.Add($"{Repo.Relative(file)} declares a @secure() parameter: secrets go into Key Vault with az keyvault secret set, never through the template");
            }
        }

        var parameters = File.ReadAllText(Repo.ParametersFile);
        if (parameters.Contains("@Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase) || SecretLooking().IsMatch(parameters))
        {
            problems.Add("main.parameters.json looks like it holds a secret or a Key Vault reference");
        }

        Assert.True(problems.Count == 0, Report("secrets", problems));
    }

    [Fact]
    public void The_parameters_file_sets_every_required_parameter_and_only_declared_ones_with_values_the_template_allows()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo.ParametersFile));
        var problems = InfraChecks.ParametersFileProblems(new ArmTemplate(BicepCli.MainArm), doc.RootElement);
        Assert.True(problems.Count == 0, Report("main.parameters.json against the compiled main.bicep", problems));
    }

    [Fact]
    public void Main_bicep_gives_the_service_bus_module_the_entities_of_servicebus_entities_json()
    {
        var problems = InfraChecks.ServiceBusEntitiesProblems(new ArmTemplate(BicepCli.MainArm), ServiceBusEntities.Load(Repo.ServiceBusEntities));
        Assert.True(problems.Count == 0, Report("servicebus-entities.json in the compiled main.bicep", problems));
    }

    internal static string Report(string what, IReadOnlyCollection<string> problems) =>
        $"{what}: {problems.Count} problem(s)\n  - " + string.Join("\n  - ", problems);

    // "…Secret": "abc…", "…Key": "…", "…Token": "…" with a value that is neither empty nor a <placeholder>.
    [GeneratedRegex(@"""[A-Za-z]*(?:[Ss]ecret|[Pp]assword|[Tt]oken|ApiKey|SigningKey)""\s*:\s*\{\s*""value""\s*:\s*""(?!<|"")")]
    private static partial Regex SecretLooking();
}
