namespace Payments.Host.Hosting;

/// <summary>Facts about running under the Azure Functions host as a custom handler.</summary>
public static class FunctionsHost
{
    /// <summary>The port the Functions host tells a custom handler to listen on.</summary>
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>Where the server listens when nothing else is configured (the Functions host's usual local port).</summary>
    public const string DefaultStandaloneUrl = "http://localhost:7071";

    /// <summary>
    /// Under the Functions host: 127.0.0.1 on the port it gives (it proxies to us; nothing else should reach
    /// us). Standalone: the configured <c>urls</c> (ASPNETCORE_URLS, --urls), else <see cref="DefaultStandaloneUrl"/>.
    /// </summary>
    public static void ConfigureUrls(WebApplicationBuilder builder)
    {
        // Environment variables are part of configuration (CreateBuilder adds them unprefixed).
        var port = builder.Configuration[PortVariable];
        if (!string.IsNullOrEmpty(port))
        {
            if (!ushort.TryParse(port, out var p) || p == 0)
            {
                throw new InvalidOperationException($"{PortVariable} must be a TCP port number.");
            }

            builder.WebHost.UseUrls($"http://127.0.0.1:{p}");
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultStandaloneUrl);
        }
    }

    /// <summary>True when running in an Azure App Service / Functions environment.</summary>
    public static bool IsInAzure(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]) || !string.IsNullOrEmpty(configuration["WEBSITE_SITE_NAME"]);
}
