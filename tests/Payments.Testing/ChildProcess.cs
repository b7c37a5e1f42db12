using System.Diagnostics;

namespace Payments.Testing;

/// <summary>
/// Runs a tool the tests need (npm, node, spectral) to its end, bounded: a run past its timeout is killed with its whole
/// process tree, so a hung tool fails the test instead of the suite.
/// </summary>
public static class ChildProcess
{
    /// <summary>The exit code and what the tool wrote (standard output, then standard error).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', args)}` did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
