using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>One diagnostic the Bicep CLI printed: "path(line,column) : Level code: message".</summary>
public sealed record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    public bool IsWarningOrError => Level is "Warning" or "Error";

    public override string ToString() => $"{File}({Line},{Column}) : {Level} {Code}: {Message}";
}

/// <summary>What one bicep command did: its exit code, its output (stdout and stderr) and the diagnostics in it.</summary>
public sealed record BicepResult(int ExitCode, string Output, IReadOnlyList<BicepDiagnostic> Diagnostics, TimeSpan Elapsed)
{
    /// <summary>
    /// Why this result is a failure: a non-zero exit, any warning or error, or any other output (build and lint print
    /// nothing but diagnostics; an experimental-feature notice, say, is not a pass). The CLI exits 0 on warnings and
    /// bicepconfig.json cannot raise the compiler's own warnings (BCPxxx), so a warning fails here whatever its source.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = Diagnostics.Where(d => d.IsWarningOrError).Select(d => d.ToString()).ToList();
        problems.AddRange(Output.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Trim().Length > 0 && !BicepCli.IsDiagnosticLine(line))
            .Select(line => "unexpected output: " + line));
        if (ExitCode != 0 && problems.Count == 0)
        {
            problems.Add($"bicep exited {ExitCode}:\n{Output}");
        }

        return problems;
    }
}

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64, restored by the restore-only project
/// infra-bicep/tools/Bicep.proj into the NuGet packages folder. Restores it when it is missing (scripts/test.sh does
/// it first, so this is for a bare `dotnet test`), and makes sure this user can run it: the package ships it as
/// rwxr--r--, so when another user restored it, it is copied to a per-user folder with the run bit.
/// </summary>
public static partial class BicepCli
{
    public const string PackageId = "Azure.Bicep.CommandLine.linux-x64";
    public const string Version = "0.49.2";

    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<string> LazyPath = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>infra-bicep/main.bicep built (ARM JSON in a temporary file) and linted, both started on first use, side by side.</summary>
    private static readonly Lazy<(Task<BicepResult> Build, Task<BicepResult> Lint, string OutFile)> Main = new(() =>
    {
        var outFile = Path.Combine(Directory.CreateTempSubdirectory("bicep-build-").FullName, "main.json");
        // --no-restore: nothing comes from a module registry; CI reaches NuGet and nothing else.
        return (
            Task.Run(() => Run(["build", Repo.MainBicep, "--no-restore", "--outfile", outFile])),
            Task.Run(() => Run(["lint", Repo.MainBicep, "--no-restore"])),
            outFile);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<JsonElement> LazyMainArm = new(() =>
    {
        var build = MainBuild.GetAwaiter().GetResult();
        if (build.ExitCode != 0 || !File.Exists(Main.Value.OutFile))
        {
            throw new InvalidOperationException($"bicep build {Repo.Relative(Repo.MainBicep)} failed (exit {build.ExitCode}):\n{build.Output}");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Main.Value.OutFile));
            return doc.RootElement.Clone();
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Main.Value.OutFile)!, recursive: true);
        }
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The bicep executable this user can run.</summary>
    public static string ExecutablePath => LazyPath.Value;

    public static Task<BicepResult> MainBuild => Main.Value.Build;

    public static Task<BicepResult> MainLint => Main.Value.Lint;

    /// <summary>The ARM JSON <c>bicep build</c> made of main.bicep (modules inlined, loadJsonContent resolved).</summary>
    public static JsonElement MainArm => LazyMainArm.Value;

    public static BicepResult Run(IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var watch = Stopwatch.StartNew();
        var result = ProcessRunner.Run(ExecutablePath, arguments, workingDirectory ?? Repo.Root, RunTimeout, BundleEnvironment.Value);
        watch.Stop();
        return new BicepResult(result.ExitCode, result.Output, ParseDiagnostics(result.Output), watch.Elapsed);
    }

    public static IReadOnlyList<BicepDiagnostic> ParseDiagnostics(string output) =>
        DiagnosticLine().Matches(output)
            .Select(m => new BicepDiagnostic(
                RelativeIfInRepo(m.Groups["file"].Value),
                int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["level"].Value,
                m.Groups["code"].Value,
                m.Groups["message"].Value.TrimEnd()))
            .ToList();

    private static string RelativeIfInRepo(string path) =>
        path.StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? Repo.Relative(path) : path;

    public static bool IsDiagnosticLine(string line) => DiagnosticLine().IsMatch(line);

    /// <summary>Where the package puts the CLI: &lt;global-packages&gt;/azure.bicep.commandline.linux-x64/&lt;version&gt;/tools/bicep.</summary>
    public static string PackagedPath(string globalPackagesFolder) =>
        Path.Combine(globalPackagesFolder, PackageId.ToLowerInvariant(), Version, "tools", "bicep");

    private static string Locate()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new PlatformNotSupportedException($"{PackageId} is the linux-x64 build of the Bicep CLI; these tests run on linux-x64 only");
        }

        var path = RestoredPath();
        if (path is null || !File.Exists(path))
        {
            Restore();
            path = RestoredPath() ?? throw new InvalidOperationException($"dotnet restore {Repo.Relative(Repo.BicepToolsProject)} left no packageFolders in its project.assets.json");
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing after dotnet restore {Repo.Relative(Repo.BicepToolsProject)}");
        }

        return Runnable(path);
    }

    /// <summary>The CLI's path in the packages folder the last restore of Bicep.proj used (its project.assets.json).</summary>
    private static string? RestoredPath()
    {
        var assets = Path.Combine(Path.GetDirectoryName(Repo.BicepToolsProject)!, "obj", "project.assets.json");
        if (!File.Exists(assets))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(assets));
        if (!doc.RootElement.TryGetProperty("packageFolders", out var folders))
        {
            return null;
        }

        // The first folder is the global packages folder (NUGET_PACKAGES, or globalPackagesFolder in NuGet.Config).
        var first = folders.EnumerateObject().Select(p => p.Name).FirstOrDefault();
        return first is null ? null : PackagedPath(first);
    }

    private static void Restore()
    {
        var dotnet = ProcessRunner.Which("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH; it restores the Bicep CLI");
        var result = ProcessRunner.Run(dotnet, ["restore", Repo.BicepToolsProject, "--force", "--nologo", "--verbosity", "quiet"], Repo.Root, RestoreTimeout,
            new Dictionary<string, string?>
            {
                // dotnet test sets these for its own build; a nested restore must find its SDK by itself.
                ["MSBuildExtensionsPath"] = null,
                ["MSBuildSDKsPath"] = null,
                ["MSBUILD_EXE_PATH"] = null,
                ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
            });
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"dotnet restore {Repo.Relative(Repo.BicepToolsProject)} failed (exit {result.ExitCode}):\n{result.Output}");
        }
    }

    /// <summary>
    /// The CLI is a single-file bundle that unpacks its native libraries under $HOME/.net on first run; without a
    /// usable home (some CI users) it goes to a folder of this user's under the temporary folder instead.
    /// </summary>
    private static readonly Lazy<Dictionary<string, string?>?> BundleEnvironment = new(() =>
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (Environment.GetEnvironmentVariable("DOTNET_BUNDLE_EXTRACT_BASE_DIR") is not null
            || (!string.IsNullOrEmpty(home) && Directory.Exists(home) && IsWritable(home)))
        {
            return null;
        }

        return new() { ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Directory.CreateDirectory(Path.Combine(UserFolder, "extract")).FullName };
    });

    private static bool IsWritable(string dir)
    {
        try
        {
            var probe = Path.Combine(dir, $".payments-bicep-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>A folder of this user's for a runnable copy of the CLI and its unpacked files.</summary>
    private static string UserFolder => Path.Combine(Path.GetTempPath(), $"payments-bicep-{Version}-{Environment.UserName}");

    /// <summary><paramref name="path"/> when this user can run it; else a copy with the run bit in a folder of this user's.</summary>
    [SupportedOSPlatform("linux")]
    private static string Runnable(string path)
    {
        if (CanRun(path))
        {
            return path;
        }

        try
        {
            // Only the owner (or root) may do this; the package's mode is rwxr--r--.
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            if (CanRun(path))
            {
                return path;
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Someone else's file: copy it below.
        }

        var dir = UserFolder;
        var copy = Path.Combine(dir, "bicep");
        if (!File.Exists(copy) || new FileInfo(copy).Length != new FileInfo(path).Length)
        {
            Directory.CreateDirectory(dir);
            var partial = copy + "." + Environment.ProcessId;
            File.Copy(path, partial, overwrite: true);
            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            File.Move(partial, copy, overwrite: true);
        }

        if (!CanRun(copy))
        {
            throw new InvalidOperationException($"cannot run the Bicep CLI at {path} nor its copy at {copy}");
        }

        return copy;
    }

    /// <summary>True when <c>bicep --version</c> starts and names the pinned version.</summary>
    private static bool CanRun(string path)
    {
        try
        {
            var result = ProcessRunner.Run(path, ["--version"], Repo.Root, RunTimeout, BundleEnvironment.Value);
            if (!result.Succeeded || !result.Output.Contains($"Bicep CLI version {Version} ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{path} --version (exit {result.ExitCode}) did not name version {Version}:\n{result.Output}");
            }

            return true;
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 13)
        {
            return false; // EACCES: no run bit for this user
        }
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:\s]+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}
