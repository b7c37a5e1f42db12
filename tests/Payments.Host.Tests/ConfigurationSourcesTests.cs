using Microsoft.Extensions.Configuration.Json;

namespace Payments.Host.Tests;

/// <summary>What the handler's configuration is read from, and what it costs at start.</summary>
public class ConfigurationSourcesTests
{
    [Fact]
    public async Task The_appsettings_files_are_read_once_and_the_content_root_is_not_watched()
    {
        await using var app = PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        }));

        var json = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();

        // The optional appsettings.json and appsettings.{Environment}.json are still read (none ships), but nothing
        // watches the folder tree for them.
        Assert.NotEmpty(json);
        Assert.All(json, p => Assert.False(p.Source.ReloadOnChange, $"{p.Source.Path} is watched for changes"));
    }
}
