using System.Runtime.InteropServices;
using Azure.Data.Tables;
using Payments.Storage.Orders;
using Payments.Storage.Tables;
using Xunit;

namespace Payments.Testing;

/// <summary>
/// Runs a private Azurite Table service for a test run: in memory, on a free loopback port, killed (with
/// its process tree) on dispose. The executable is <c>AZURITE_TABLE_BIN</c>, else
/// <c>&lt;repo&gt;/.tools/node_modules/.bin/azurite-table</c>, else <c>azurite-table</c> on PATH; when none
/// exists it is installed with <c>npm ci --prefix &lt;repo&gt;/.tools</c> (pinned in .tools/package-lock.json).
/// It never skips: if Azurite cannot be installed or started, every test using it fails with the reason.
/// </summary>
/// <remarks>
/// Use it as a collection fixture (xunit needs the collection definition in the test assembly itself):
/// <code>
/// [CollectionDefinition(AzuriteFixture.Collection)]
/// public sealed class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;;
///
/// [Collection(AzuriteFixture.Collection)]
/// public sealed class MyTests(AzuriteFixture azurite) { … azurite.CreateServiceClient() … }
/// </code>
/// or as an <c>IClassFixture&lt;AzuriteFixture&gt;</c> (one Azurite per class). Tables are shared by the
/// whole run, so give each test its own tables (<see cref="UniqueTableName"/>, <see cref="CreateOrderStorage"/>)
/// or partition keys.
/// </remarks>
public sealed class AzuriteFixture : IAsyncLifetime, IDisposable
{
    public const string Collection = "Azurite";

    /// <summary>Azurite's (and the storage emulator's) well-known account: public, not a secret.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="DevelopmentAccountName"/>, published with Azurite.</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private AzuriteProcess? _process;
    private string? _workspace;
    private bool _started;

    /// <summary>The port Azurite listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>The table endpoint, path-style: <c>http://127.0.0.1:{Port}/devstoreaccount1</c>.</summary>
    public Uri TableEndpoint => new($"http://127.0.0.1:{Port}/{DevelopmentAccountName}");

    /// <summary>A connection string for the well-known devstoreaccount1 account on this instance.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccountName};"
        + $"AccountKey={DevelopmentAccountKey};TableEndpoint={TableEndpoint};";

    public async Task InitializeAsync()
    {
        var executable = await FindOrInstallAsync();
        Exception? last = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                await StartAsync(executable);
                _started = true;
                return;
            }
            catch (Exception ex) when (attempt < 3)
            {
                // Most likely the free port was taken between probing and binding: try another one.
                last = ex;
                StopProcess();
            }
        }

        throw new InvalidOperationException("Azurite did not start.", last);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _started = false;
        StopProcess();
        if (_workspace is not null)
        {
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

            _workspace = null;
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

    /// <summary>A client for this instance (the SDK's, built as the app builds it), with its own <see cref="StorageHealth"/> unless given one.</summary>
    public TableServiceClient CreateServiceClient(TableStorageOptions? options = null, StorageHealth? health = null) =>
        _started
            ? TableStorageClients.Create(options ?? CreateOptions(), health: health)
            : throw new InvalidOperationException("The fixture has not been initialised.");

    /// <summary>A client for a brand-new table (created).</summary>
    public async Task<TableClient> CreateTableAsync(string prefix = "t")
    {
        var table = CreateServiceClient().GetTableClient(UniqueTableName(prefix));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    /// <summary>
    /// A fresh order store, its outbox (with <paramref name="outboxSettle"/>, default <see cref="TableOutbox.DefaultSettle"/>)
    /// and lookups on tables of their own (created on first use), so tests never see each other's rows.
    /// </summary>
    public OrderStorage CreateOrderStorage(TimeSpan? outboxSettle = null)
    {
        var client = CreateServiceClient();
        var options = new OrderStorageOptions { OrdersTable = UniqueTableName("orders"), LookupsTable = UniqueTableName("lookups") };
        var store = new TableOrderStore(client, options);
        return new OrderStorage(store, new TableOutbox(store, outboxSettle), new TableOrderLookups(client, options), client, options);
    }

    /// <summary>A valid, unique table name: the prefix (letters/digits) plus 16 hex digits.</summary>
    public static string UniqueTableName(string prefix = "t")
    {
        var clean = new string(prefix.Where(char.IsAsciiLetterOrDigit).ToArray());
        if (clean.Length == 0 || !char.IsAsciiLetter(clean[0]))
        {
            clean = "t" + clean;
        }

        if (clean.Length > 40)
        {
            clean = clean[..40];
        }

        return clean + Guid.NewGuid().ToString("N")[..16];
    }

    private async Task StartAsync(string executable)
    {
        _workspace ??= Directory.CreateTempSubdirectory("azurite-").FullName;
        Port = LoopbackPorts.Free();

        // In memory: nothing persists; the temporary working directory catches anything Azurite still writes.
        _process = await AzuriteProcess.StartAsync(executable, Port, _workspace, ["--inMemoryPersistence"]);
    }

    private void StopProcess()
    {
        var process = _process;
        _process = null;
        process?.Dispose();
    }

    internal static async Task<string> FindOrInstallAsync()
    {
        // scripts/lib.sh exports AZURITE_TABLE_BIN as the .tools path before installing, so a missing file
        // here means "not installed yet" rather than an error.
        var fromEnv = Environment.GetEnvironmentVariable("AZURITE_TABLE_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv) && File.Exists(fromEnv))
        {
            return fromEnv;
        }

        var repo = RepositoryRoot();
        var tools = repo is null ? null : Path.Combine(repo, ".tools");
        var local = tools is null ? null : LocalBin(tools);
        if (local is not null && File.Exists(local))
        {
            return local;
        }

        var onPath = FindOnPath(ExecutableName());
        if (onPath is not null)
        {
            return onPath;
        }

        if (tools is null || !File.Exists(Path.Combine(tools, "package-lock.json")))
        {
            throw new InvalidOperationException(
                $"azurite-table was not found (AZURITE_TABLE_BIN='{fromEnv}', <repo>/.tools/node_modules/.bin, PATH) and there is no "
                + "<repo>/.tools/package-lock.json to install it from (repo root = the folder with Functions.sln).");
        }

        await InstallAsync(tools);
        return File.Exists(local!)
            ? local!
            : throw new InvalidOperationException($"`npm ci --prefix {tools}` succeeded but {local} does not exist.");
    }

    // Several test assemblies may start at once: one installs, the others wait on the lock file and reuse it.
    private static async Task InstallAsync(string tools)
    {
        var lockPath = Path.Combine(tools, ".install.lock");
        var deadline = DateTime.UtcNow + InstallTimeout;
        FileStream? gate = null;
        while (gate is null)
        {
            try
            {
                gate = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }

        await using (gate)
        {
            if (File.Exists(LocalBin(tools)))
            {
                return;
            }

            var npm = FindOnPath(RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "npm.cmd" : "npm")
                ?? throw new InvalidOperationException(
                    "azurite-table is not installed and npm is not on PATH: install Node.js (with npm), or set AZURITE_TABLE_BIN.");
            var (exit, output) = await ChildProcess.RunAsync(npm, ["ci", "--prefix", tools, "--no-audit", "--no-fund"], InstallTimeout, tools);
            if (exit != 0)
            {
                throw new InvalidOperationException($"`npm ci --prefix {tools}` failed with exit code {exit}:\n{output}");
            }
        }
    }

    private static string LocalBin(string tools) =>
        Path.Combine(tools, "node_modules", ".bin", ExecutableName());

    private static string ExecutableName() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "azurite-table.cmd" : "azurite-table";

    /// <summary>The nearest folder above the test binaries (or the working directory) holding Functions.sln.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
