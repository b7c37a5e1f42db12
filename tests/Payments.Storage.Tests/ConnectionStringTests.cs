using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Storage.Orders;
using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

public sealed class ConnectionStringTests
{
    private const string Key = "c2VjcmV0LWtleS1ieXRlcy1mb3ItdGVzdGluZy0xMjM0NQ==";

    [Fact]
    public void Development_storage_is_azurite_path_style()
    {
        var cs = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", cs.AccountName);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", cs.TableEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Account_key_with_endpoint_suffix_makes_the_table_host()
    {
        var cs = StorageConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=payacct;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal("payacct", cs.AccountName);
        Assert.Equal("https://payacct.table.core.windows.net/", cs.TableEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Explicit_table_endpoint_wins()
    {
        var cs = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};TableEndpoint=http://127.0.0.1:12345/devstoreaccount1;");

        Assert.Equal("http://127.0.0.1:12345/devstoreaccount1", cs.TableEndpoint.AbsoluteUri);
    }

    [Theory]
    [InlineData("AccountName=a", "AccountKey is missing")]
    [InlineData("AccountKey=" + Key, "AccountName is missing")]
    [InlineData("AccountName=a;AccountKey=not*base64!!", "not valid base64")]
    [InlineData("SharedAccessSignature=sv=2020&sig=abc;TableEndpoint=https://x", "not supported")]
    [InlineData("nonsense", "Name=Value")]
    public void Invalid_strings_are_rejected_with_a_reason_that_never_shows_the_key(string connectionString, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=abc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_hides_the_key()
    {
        var cs = StorageConnectionString.Parse($"AccountName=a;AccountKey={Key}");
        Assert.DoesNotContain(Key, cs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_configuration_fails_validation_with_a_clear_message()
    {
        using var provider = Services(new Dictionary<string, string?>());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TableStorageOptions>>().Value);

        Assert.Contains("Storage:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:TableServiceUri", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Falls_back_to_AzureWebJobsStorage()
    {
        using var provider = Services(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        var client = provider.GetRequiredService<TableServiceClient>();

        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", client.Endpoint.AbsoluteUri);
        Assert.IsType<TableOrderStore>(provider.GetRequiredService<IOrderStore>());
        Assert.IsType<TableOrderLookups>(provider.GetRequiredService<IOrderLookups>());
        Assert.Same(provider.GetRequiredService<IOrderStore>(), provider.GetRequiredService<IOutboxReader>());
    }

    [Fact]
    public void Table_service_uri_uses_a_token_credential()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Storage:TableServiceUri"] = "https://payacct.table.core.windows.net/" });

        var client = provider.GetRequiredService<TableServiceClient>();

        Assert.Equal("https://payacct.table.core.windows.net/", client.Endpoint.AbsoluteUri);
    }

    [Fact]
    public void An_invalid_connection_string_fails_validation_without_showing_the_key()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Storage:ConnectionString"] = "AccountName=a;AccountKey=" + Key + ";TableEndpoint=ftp://x" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TableStorageOptions>>().Value);

        Assert.Contains("TableEndpoint", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOrderStorage(configuration);
        return services.BuildServiceProvider();
    }
}
