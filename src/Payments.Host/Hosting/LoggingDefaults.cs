using Microsoft.Extensions.Configuration.Memory;

namespace Payments.Host.Hosting;

/// <summary>
/// Log levels the app starts from unless configuration says otherwise. <c>System.Net.Http.HttpClient.*</c> (the
/// <c>IHttpClientFactory</c> logs: two to four lines per provider call, start and end, at Information) is at Warning: on
/// the callback path they cost about 7 % of throughput and say nothing the provider clients do not log on failure. Still
/// there by configuration: <c>Logging:LogLevel:System.Net.Http.HttpClient=Information</c> (app setting or environment
/// variable <c>Logging__LogLevel__System.Net.Http.HttpClient</c>).
/// </summary>
public static class LoggingDefaults
{
    public const string HttpClientCategory = "System.Net.Http.HttpClient";

    public static readonly IReadOnlyDictionary<string, string?> Levels = new Dictionary<string, string?>
    {
        [$"Logging:LogLevel:{HttpClientCategory}"] = nameof(LogLevel.Warning),
    };

    /// <summary>Adds <see cref="Levels"/> below every other configuration source, so that any setting wins over them.</summary>
    public static void Apply(ConfigurationManager configuration)
    {
        ((IConfigurationBuilder)configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
    }
}
