namespace Payments.Host.Tests;

/// <summary>Files of the repository the tests read (the Function manifests, host.json, the committed OpenAPI document).</summary>
public static class RepoFiles
{
    /// <summary>The folder holding Functions.sln, found above the test binaries.</summary>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Functions.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>openapi/payments-v1.json, the API's committed contract.</summary>
    public static string OpenApiDocument => Path.Combine(Root(), "openapi", "payments-v1.json");
}
