using System.Diagnostics;

namespace Payments.Host.Tests;

internal static class BrowserShopper
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task<string> RunAsync(string redirectUrl, string button, string shopOrigin) =>
        (await RunScriptAsync("shopper.mjs", redirectUrl, button, shopOrigin))["finalUrl"]!.GetValue<string>();

    /// <summary>Runs one of the Playwright scripts in tests/browser (installing playwright-core once) and returns the JSON line it prints last.</summary>
    public static async Task<JsonNode> RunScriptAsync(string script, params string[] args)
    {
        var dir = Path.Combine(FunctionManifestTests.RepoRoot(), "tests", "browser");
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium not found at {chromium}: run scripts/test.sh (it installs Debian's chromium) or set CHROMIUM_PATH.");

        await InstallLock.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(dir, "node_modules", "playwright-core")))
            {
                var (code, output) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], dir);
                Assert.True(code == 0, "npm ci in tests/browser failed: " + output);
            }
        }
        finally
        {
            InstallLock.Release();
        }

        var (exit, stdout) = await RunProcessAsync("node", [script, .. args], dir);
        Assert.True(exit == 0, $"the browser script {script} failed: " + stdout);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        return JsonNode.Parse(line)!;
    }

    private static async Task<(int Code, string Output)> RunProcessAsync(string file, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
