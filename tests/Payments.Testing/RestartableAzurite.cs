using Payments.Storage.Tables;

namespace Payments.Testing;

/// <summary>
/// A private, disk-backed Azurite Table service (<c>--location</c> a temporary folder) that a test can stop and
/// start again on the same port and folder, to play a storage outage. Stopping is SIGINT to the process this
/// class started (Azurite's table server saves its database only then); starting again reopens the saved data.
/// Disposing kills the process (by its PID) and deletes the folder. The executable is found or installed as for
/// <see cref="AzuriteFixture"/>.
/// </summary>
public sealed class RestartableAzurite : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly string _executable;
    private readonly string _workspace;
    private readonly string _data;
    private AzuriteProcess? _process;

    private RestartableAzurite(string executable, string workspace)
    {
        _executable = executable;
        _workspace = workspace;
        _data = Directory.CreateDirectory(Path.Combine(workspace, "data")).FullName;
    }

    /// <summary>The port Azurite listens on (127.0.0.1), the same across restarts.</summary>
    public int Port { get; private set; }

    /// <summary>True between a start and a stop.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How many times <see cref="StopAsync"/> stopped it.</summary>
    public int Stops { get; private set; }

    /// <summary>A connection string for devstoreaccount1 on this instance (valid across restarts).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.DevelopmentAccountName};"
        + $"AccountKey={AzuriteFixture.DevelopmentAccountKey};"
        + $"TableEndpoint=http://127.0.0.1:{Port}/{AzuriteFixture.DevelopmentAccountName};";

    /// <summary>Installs Azurite if needed and starts it on a free port.</summary>
    public static async Task<RestartableAzurite> StartAsync()
    {
        var executable = await AzuriteFixture.FindOrInstallAsync();
        var azurite = new RestartableAzurite(executable, Directory.CreateTempSubdirectory("azurite-disk-").FullName);
        Exception? last = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                azurite.Port = LoopbackPorts.Free();
                await azurite.StartAgainAsync();
                return azurite;
            }
            catch (Exception ex) when (attempt < 3)
            {
                // Most likely the free port was taken between probing and binding: try another one.
                last = ex;
            }
        }

        await azurite.DisposeAsync();
        throw new InvalidOperationException("Azurite did not start.", last);
    }

    /// <summary>Stops it with SIGINT and waits until it has saved and exited: from now on the port refuses connections.</summary>
    public async Task StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Azurite is not running.");
        _process = null;
        try
        {
            await process.InterruptAsync(StopTimeout);
        }
        finally
        {
            process.Dispose();
        }

        Stops++;
    }

    /// <summary>Starts it again on the same port and folder, and waits until it listens.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Azurite is running already.");
        }

        // On a restart the port may still be held for a moment by the old listener: retry briefly.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _process = await AzuriteProcess.StartAsync(_executable, Port, _workspace, ["--location", _data]);
                return;
            }
            catch (InvalidOperationException) when (attempt < 5 && Stops > 0)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Options for this instance, with quick retries suited to tests.</summary>
    public TableStorageOptions CreateOptions() => new()
    {
        ConnectionString = ConnectionString,
        MaxRetryAttempts = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(500),
        AttemptTimeout = TimeSpan.FromSeconds(20),
    };

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
