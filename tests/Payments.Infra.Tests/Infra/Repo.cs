namespace Payments.Infra.Tests.Infra;

/// <summary>Paths in the repository, found from the test's output folder (the folder that holds Functions.sln).</summary>
public static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Functions.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => LazyRoot.Value;

    public static string InfraDir => Path.Combine(Root, "infra-bicep");

    public static string MainBicep => Path.Combine(InfraDir, "main.bicep");

    public static string RolesBicep => Path.Combine(InfraDir, "modules", "roles.bicep");

    public static string ParametersFile => Path.Combine(InfraDir, "main.parameters.json");

    public static string AppSettingsManifest => Path.Combine(InfraDir, "app-settings.json");

    public static string ServiceBusEntities => Path.Combine(InfraDir, "servicebus-entities.json");

    public static string DeployGuide => Path.Combine(InfraDir, "README.md");

    public static string BicepConfig => Path.Combine(InfraDir, "bicepconfig.json");

    /// <summary>The restore-only project that downloads the Bicep CLI (see BicepCli).</summary>
    public static string BicepToolsProject => Path.Combine(InfraDir, "tools", "Bicep.proj");

    public static string SrcDir => Path.Combine(Root, "src");

    public static string HostProjectDir => Path.Combine(SrcDir, "Payments.Host");

    public static string FunctionsDir => Path.Combine(HostProjectDir, "functions");

    public static string HostJson => Path.Combine(Root, "host.json");

    public static string PublishScript => Path.Combine(Root, "scripts", "publish.sh");

    public static string Read(string path) => File.ReadAllText(path);

    /// <summary>A path relative to the repository root, with forward slashes, for messages.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}
