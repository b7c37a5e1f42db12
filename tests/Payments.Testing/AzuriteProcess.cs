using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Payments.Testing;

/// <summary>
/// One azurite-table process that this test run started: launched on a given loopback port, waited for until it
/// listens, and stopped by its own PID only (killed with its process tree, or interrupted with SIGINT so that a
/// disk-backed instance saves its data first).
/// </summary>
internal sealed class AzuriteProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private AzuriteProcess(Process process, string executable, int port)
    {
        _process = process;
        Executable = executable;
        Port = port;
    }

    public string Executable { get; }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts azurite-table on 127.0.0.1:<paramref name="port"/> with telemetry off, and waits until the port
    /// answers. <paramref name="storage"/> are the persistence arguments (<c>--inMemoryPersistence</c>, or
    /// <c>--location dir</c>).
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string executable, int port, string workingDirectory, IEnumerable<string> storage)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = executable,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in new[] { "--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                     .Concat(storage)
                     .Concat(["--disableTelemetry", "--skipApiVersionCheck", "--disableProductStyleUrl"]))
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var azurite = new AzuriteProcess(process, executable, port);
        process.OutputDataReceived += (_, e) => azurite.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => azurite.Capture(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {executable}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow + StartTimeout;
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException(
                        $"Azurite ({executable}) exited with code {process.ExitCode} before listening on port {port}. Output:\n{azurite.Output()}");
                }

                if (await PortAnswersAsync(port))
                {
                    return azurite;
                }

                await Task.Delay(100);
            }

            throw new TimeoutException($"Azurite ({executable}) did not listen on port {port} within {StartTimeout.TotalSeconds} s. Output:\n{azurite.Output()}");
        }
        catch
        {
            azurite.Dispose();
            throw;
        }
    }

    /// <summary>
    /// SIGINT, then waits for the exit: Azurite's table server writes its database to <c>--location</c> only on
    /// SIGINT (a kill loses what it had not saved). Killed (this process tree) if it does not exit in time.
    /// </summary>
    public async Task InterruptAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (!OperatingSystem.IsWindows() && Kill(_process.Id, SigInt) == 0)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }

        KillTree();
        throw new InvalidOperationException($"Azurite (PID {_process.Id}) did not exit within {timeout.TotalSeconds} s of SIGINT; it was killed. Output:\n{Output()}");
    }

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    public void Dispose()
    {
        KillTree();
        _process.Dispose();
    }


    public static async Task<bool> PortAnswersAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 20_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
