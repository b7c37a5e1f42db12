using Payments.Infra.Tests.Infra;

namespace Payments.Infra.Tests;

/// <summary>
/// No Bicep compiler can be installed on our build machines, so every .bicep file is parsed with the
/// tree-sitter-bicep grammar (npm, pinned in infra-bicep/tools/package-lock.json) by infra-bicep/tools/parse.js,
/// which also resolves module files, module parameters and outputs, load*() files and names.
/// Node.js and npm are required: without them these tests fail (they do not skip).
/// </summary>
public class BicepParseTests
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ParseTimeout = TimeSpan.FromMinutes(1);
    private static readonly Lazy<string> Tools = new(InstallTools, LazyThreadSafetyMode.ExecutionAndPublication);

    [Fact]
    public void Every_bicep_file_parses_and_its_modules_parameters_outputs_and_names_resolve()
    {
        var result = ProcessRunner.Run(Tools.Value, [Path.Combine(Repo.ToolsDir, "parse.js")], Repo.Root, ParseTimeout);
        Assert.True(result.Succeeded, $"infra-bicep/tools/parse.js found problems (exit {result.ExitCode}):\n{result.Output}");
        Assert.Contains("OK:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_parse_check_reports_broken_bicep_with_file_and_line()
    {
        var dir = Directory.CreateTempSubdirectory("bicep-parse-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "broken.bicep"), "param name string\nvar settings = {\n  a: name\n");
            File.WriteAllText(Path.Combine(dir, "typo.bicep"), "param name string\noutput o string = nmae\n");
            var result = ProcessRunner.Run(Tools.Value, [Path.Combine(Repo.ToolsDir, "parse.js"), dir], Repo.Root, ParseTimeout);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("broken.bicep:", result.Output, StringComparison.Ordinal);
            Assert.Contains("syntax error", result.Output, StringComparison.Ordinal);
            Assert.Contains("typo.bicep:2:", result.Output, StringComparison.Ordinal);
            Assert.Contains("'nmae' is not declared", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Node's path, after `npm ci` into infra-bicep/tools when its node_modules is missing.</summary>
    private static string InstallTools()
    {
        var node = ProcessRunner.Which("node")
            ?? throw new InvalidOperationException(
                "Node.js is not on PATH. The Bicep parse check needs Node.js and npm (e.g. apt-get install nodejs npm); .ci/run installs them.");
        if (Directory.Exists(Path.Combine(Repo.ToolsDir, "node_modules", "tree-sitter-bicep"))
            && Directory.Exists(Path.Combine(Repo.ToolsDir, "node_modules", "tree-sitter")))
        {
            return node;
        }

        var npm = ProcessRunner.Which("npm")
            ?? throw new InvalidOperationException("npm is not on PATH; it installs the pinned tree-sitter-bicep grammar (npm ci --prefix infra-bicep/tools).");
        var install = ProcessRunner.Run(npm, ["ci", "--prefix", Repo.ToolsDir, "--no-audit", "--no-fund", "--loglevel=error"], Repo.Root, NpmTimeout);
        if (!install.Succeeded)
        {
            throw new InvalidOperationException($"npm ci --prefix infra-bicep/tools failed (exit {install.ExitCode}):\n{install.Output}");
        }

        return node;
    }
}
