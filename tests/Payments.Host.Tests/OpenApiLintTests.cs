namespace Payments.Host.Tests;

/// <summary>
/// The committed contract is lint-clean under Spectral's OpenAPI rules (<c>spectral:oas</c>, which also checks every
/// example against its schema). Spectral is pinned by <c>openapi/lint/package-lock.json</c> and installed by
/// <c>scripts/test.sh</c> (<c>ensure_spectral</c>); a bare <c>dotnet test</c> installs it here with <c>npm ci</c>.
/// </summary>
public class OpenApiLintTests
{
    private static readonly string LintDir = Path.Combine(RepoFiles.Root(), "openapi", "lint");

    [Fact]
    public async Task The_committed_document_has_no_Spectral_errors()
    {
        var spectral = Path.Combine(LintDir, "node_modules", ".bin", "spectral");
        if (!File.Exists(spectral))
        {
            var (installed, output) = await ChildProcess.RunAsync("npm", ["ci", "--prefix", LintDir, "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5));
            Assert.True(installed == 0, "npm ci in openapi/lint failed:\n" + output);
        }

        var (exit, lint) = await ChildProcess.RunAsync(spectral,
            ["lint", RepoFiles.OpenApiDocument, "--ruleset", Path.Combine(LintDir, ".spectral.yaml"), "--fail-severity", "error"],
            TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, "spectral lint openapi/payments-v1.json:\n" + lint);
        Assert.DoesNotContain(" error ", lint, StringComparison.Ordinal);
    }
}
