using System.Text.Json;
using Payments.Infra.Tests.Infra;
using Xunit.Abstractions;

namespace Payments.Infra.Tests;

/// <summary>
/// infra-bicep/main.bicep (and every module it uses) compiles and lints with the real Bicep CLI
/// (Azure.Bicep.CommandLine.linux-x64, restored by infra-bicep/tools/Bicep.proj) with no warning at all:
/// infra-bicep/bicepconfig.json makes the linter's warnings errors, and BicepResult.Problems() also fails on the
/// compiler's own warnings, which no configuration raises.
/// </summary>
public class BicepCompilerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Main_bicep_builds_to_an_ARM_template_without_warnings()
    {
        var build = await BicepCli.MainBuild;
        output.WriteLine($"bicep build: exit {build.ExitCode}, {build.Elapsed.TotalSeconds:0.0} s");
        Assert.True(build.Problems().Count == 0, AppSettingsTests.Report("bicep build infra-bicep/main.bicep", build.Problems()));

        var arm = BicepCli.MainArm;
        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", arm.GetProperty("$schema").GetString());
        Assert.Contains("bicep", arm.GetProperty("metadata").GetProperty("_generator").GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_bicep_and_its_modules_lint_clean()
    {
        var lint = await BicepCli.MainLint;
        output.WriteLine($"bicep lint: exit {lint.ExitCode}, {lint.Elapsed.TotalSeconds:0.0} s");
        Assert.True(lint.Problems().Count == 0, AppSettingsTests.Report("bicep lint infra-bicep/main.bicep", lint.Problems()));
        Assert.DoesNotContain(lint.Diagnostics, d => d.IsWarningOrError);
    }

    [Fact]
    public async Task A_linter_warning_is_an_error_and_fails_the_lint()
    {
        // Two findings the linter reports as warnings by default; the repository's bicepconfig.json makes them errors.
        var result = await Samples.Value;
        Assert.NotEqual(0, result.ExitCode);
        var linter = result.Diagnostics.Where(d => d.File.EndsWith("linter.bicep", StringComparison.Ordinal)).ToList();
        Assert.Contains(linter, d => d is { Level: "Error", Code: "use-safe-access", Line: 3 });
        Assert.Contains(linter, d => d is { Level: "Error", Code: "no-unused-params", Line: 2 });
        Assert.Equal(2, result.Problems().Count(p => p.Contains("linter.bicep(", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_compiler_warning_that_no_configuration_raises_still_fails_the_check_and_a_clean_file_passes()
    {
        // BCP081 (no types for a resource type) is the compiler's, not the linter's: it stays a warning, on which the
        // CLI alone exits 0, so BicepResult.Problems() counts warnings too.
        var result = await Samples.Value;
        var compiler = Assert.Single(result.Diagnostics, d => d.File.EndsWith("compiler.bicep", StringComparison.Ordinal));
        Assert.Equal(("Warning", "BCP081", 1), (compiler.Level, compiler.Code, compiler.Line));
        Assert.Contains(result.Problems(), p => p.Contains("compiler.bicep(1,17) : Warning BCP081", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Diagnostics, d => d.File.EndsWith("clean.bicep", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tools_project_and_the_tests_pin_the_same_CLI_version()
    {
        var project = File.ReadAllText(Repo.BicepToolsProject);
        Assert.Contains($"""<PackageDownload Include="{BicepCli.PackageId}" Version="[{BicepCli.Version}]" />""", project, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(BicepCli.PackageId.ToLowerInvariant(), BicepCli.Version, "tools", "bicep"), BicepCli.PackagedPath("/p"), StringComparison.Ordinal);
        Assert.True(File.Exists(BicepCli.ExecutablePath)); // resolving it ran `bicep --version` and checked the version

        using var config = JsonDocument.Parse(File.ReadAllText(Repo.BicepConfig), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var rules = config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules").EnumerateObject().ToList();
        Assert.Contains(rules, r => r.Name == "use-safe-access");
        Assert.All(rules, r => Assert.Equal("error", r.Value.GetProperty("level").GetString()));
    }

    /// <summary>One lint (--pattern) of three small files next to a copy of bicepconfig.json, started on first use.</summary>
    private static readonly Lazy<Task<BicepResult>> Samples = new(() =>
    {
        var dir = SampleFolder(
            ("linter.bicep", """
                param entities object
                param unused string = ''
                output ttl string = contains(entities, 'ttl') ? entities.ttl : ''
                """),
            ("compiler.bicep", """
                resource widget 'Microsoft.Nothing/widgets@2020-01-01' = {
                  name: 'w'
                }
                """),
            ("clean.bicep", """
                param name string
                output greeting string = 'hello ${name}'
                """));
        return Task.Run(() => LintAndDelete(dir, ["--pattern", Path.Combine(dir, "*.bicep")]));
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string SampleFolder(params (string Name, string Text)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("bicep-lint-").FullName;
        File.Copy(Repo.BicepConfig, Path.Combine(dir, "bicepconfig.json"));
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(dir, name), text + "\n");
        }

        return dir;
    }

    private static BicepResult LintAndDelete(string dir, string[] arguments)
    {
        try
        {
            return BicepCli.Run(["lint", .. arguments], dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
