namespace Payments.Host.Tests;

internal static class BrowserShopper
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task<string> RunAsync(string redirectUrl, string button, string shopOrigin) =>
        (await RunScriptAsync("shopper.mjs", redirectUrl, button, shopOrigin))["finalUrl"]!.GetValue<string>();

    /// <summary>Runs one of the Playwright scripts in tests/browser (installing playwright-core once) and returns the JSON line it prints last.</summary>
    public static async Task<JsonNode> RunScriptAsync(string script, params string[] args)
    {
        var dir = Path.Combine(RepoFiles.Root(), "tests", "browser");
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium not found at {chromium}: run scripts/test.sh (it installs Debian's chromium) or set CHROMIUM_PATH.");

        await InstallLock.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(dir, "node_modules", "playwright-core")))
            {
                var (code, output) = await ChildProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(3), dir);
                Assert.True(code == 0, "npm ci in tests/browser failed: " + output);
            }
        }
        finally
        {
            InstallLock.Release();
        }

        var (exit, stdout) = await ChildProcess.RunAsync("node", [script, .. args], TimeSpan.FromMinutes(3), dir);
        Assert.True(exit == 0, $"the browser script {script} failed: " + stdout);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        return JsonNode.Parse(line)!;
    }
}
