using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Infra.Tests.Infra;

namespace Payments.Infra.Tests;

/// <summary>
/// The package the Flex Consumption plan runs: host.json at the root, one folder per function with its
/// function.json, and the handler executable (host.json customHandler.description.defaultExecutablePath) with
/// its run bit. The real scripts/publish.sh runs here, in a copy of the files it reads, with a stand-in for
/// `dotnet` on PATH that writes a dummy executable without the run bit; a real `dotnet publish` (self-contained,
/// ReadyToRun) takes minutes and is not what this checks. Everything else the script does (copying host.json
/// and the function folders, the run bit, the zip) runs for real.
/// </summary>
public partial class PublishLayoutTests
{
    private const string FakeDotnet = """
        #!/usr/bin/env bash
        # Stand-in for `dotnet` in PublishLayoutTests: `dotnet publish … -o <dir>` writes "$FAKE_EXE" into <dir>
        # without the run bit (the script must add it); any other command succeeds and does nothing.
        out=""
        prev=""
        for arg in "$@"; do
          case "$prev" in -o|--output) out="$arg" ;; esac
          case "$arg" in --output=*) out="${arg#--output=}" ;; esac
          prev="$arg"
        done
        if [ "${1:-}" = "publish" ]; then
          [ -n "$out" ] || { echo "fake dotnet: publish without -o" >&2; exit 2; }
          mkdir -p "$out"
          printf '#!/bin/sh\necho fake handler\n' > "$out/$FAKE_EXE"
          chmod 644 "$out/$FAKE_EXE"
        fi
        exit 0
        """;

    [Fact]
    public void Host_json_starts_the_executable_the_host_project_builds()
    {
        var exe = DefaultExecutablePath();
        var project = File.ReadAllText(Path.Combine(Repo.HostProjectDir, "Payments.Host.csproj"));
        var assemblyName = AssemblyName().Match(project) is { Success: true } m ? m.Groups["name"].Value : "Payments.Host";
        Assert.Equal(assemblyName, exe);
    }

    [Fact]
    public void Every_function_folder_has_a_function_json_with_one_trigger()
    {
        var problems = new List<string>();
        foreach (var dir in Directory.GetDirectories(Repo.FunctionsDir))
        {
            var path = Path.Combine(dir, "function.json");
            if (!File.Exists(path))
            {
                problems.Add($"{Repo.Relative(dir)} has no function.json (the host would not load it)");
                continue;
            }

            try
            {
                var function = FunctionManifest.Load(dir);
                if (function.Bindings.Count(b => b.IsTrigger) != 1)
                {
                    problems.Add($"{Repo.Relative(path)}: needs exactly one trigger binding");
                }
            }
            catch (JsonException e)
            {
                problems.Add($"{Repo.Relative(path)}: not valid JSON ({e.Message})");
            }
        }

        Assert.True(problems.Count == 0, AppSettingsTests.Report("function folders", problems));
    }

    [Fact]
    public void The_publish_script_lays_out_host_json_every_function_folder_and_the_runnable_handler_in_the_zip()
    {
        var bash = ProcessRunner.Which("bash") ?? throw new InvalidOperationException("bash is not on PATH; scripts/publish.sh needs it");
        var exe = DefaultExecutablePath();
        var work = Directory.CreateTempSubdirectory("publish-layout-").FullName;
        try
        {
            CopyTree(Path.Combine(Repo.Root, "scripts"), Path.Combine(work, "scripts"));
            CopyTree(Repo.HostProjectDir, Path.Combine(work, "src", "Payments.Host"));
            File.Copy(Repo.HostJson, Path.Combine(work, "host.json"));
            var fakeBin = Directory.CreateDirectory(Path.Combine(work, ".fakebin")).FullName;
            var fake = Path.Combine(fakeBin, "dotnet");
            File.WriteAllText(fake, FakeDotnet.ReplaceLineEndings("\n") + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            }


            var result = ProcessRunner.Run(bash, [Path.Combine(work, "scripts", "publish.sh")], work, TimeSpan.FromMinutes(2), new Dictionary<string, string?>
            {
                ["PATH"] = fakeBin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
                ["FAKE_EXE"] = exe,
            });
            Assert.True(result.Succeeded, $"scripts/publish.sh failed (exit {result.ExitCode}):\n{result.Output}");

            var zipPath = Path.Combine(work, "artifacts", "functionapp.zip");
            Assert.True(File.Exists(zipPath), "scripts/publish.sh did not write artifacts/functionapp.zip");
            using var zip = ZipFile.OpenRead(zipPath);
            var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName.Replace('\\', '/'), StringComparer.Ordinal);
            var problems = new List<string>();

            if (!entries.TryGetValue("host.json", out var hostJson))
            {
                problems.Add("host.json is not at the root of the zip");
            }
            else if (Read(hostJson) != File.ReadAllText(Repo.HostJson))
            {
                problems.Add("host.json in the zip differs from the repository's");
            }

            var expected = Directory.GetDirectories(Repo.FunctionsDir).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            foreach (var name in expected)
            {
                if (!entries.TryGetValue($"{name}/function.json", out var entry))
                {
                    problems.Add($"{name}/function.json is not in the zip");
                }
                else if (Read(entry) != File.ReadAllText(Path.Combine(Repo.FunctionsDir, name!, "function.json")))
                {
                    problems.Add($"{name}/function.json in the zip differs from src/Payments.Host/functions/{name}/function.json");
                }
            }

            foreach (var extra in entries.Keys.Where(k => k.EndsWith("/function.json", StringComparison.Ordinal)).Select(k => k[..k.IndexOf('/', StringComparison.Ordinal)]).Where(n => !expected.Contains(n)))
            {
                problems.Add($"the zip has a function folder {extra} that src/Payments.Host/functions does not");
            }

            if (!entries.TryGetValue(exe, out var handler))
            {
                problems.Add($"the handler '{exe}' (host.json defaultExecutablePath) is not at the root of the zip");
            }
            else if (((handler.ExternalAttributes >> 16) & 0b001_001_001) == 0)
            {
                problems.Add($"the handler '{exe}' has no run bit in the zip (unix mode {Convert.ToString((handler.ExternalAttributes >> 16) & 0xFFF, 8)}); the host could not start it");
            }

            Assert.True(problems.Count == 0, AppSettingsTests.Report("artifacts/functionapp.zip", problems) + "\nscript output:\n" + result.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string DefaultExecutablePath()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo.HostJson));
        return doc.RootElement.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;
    }

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            var name = Path.GetFileName(dir);
            if (name is "bin" or "obj" or "node_modules" || name.StartsWith('.'))
            {
                continue;
            }

            CopyTree(dir, Path.Combine(to, name));
        }
    }

    [GeneratedRegex(@"<AssemblyName>(?<name>[^<]+)</AssemblyName>")]
    private static partial Regex AssemblyName();
}
