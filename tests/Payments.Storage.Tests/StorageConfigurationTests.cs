using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Payments.Storage.Tests;

/// <summary>How the <c>Storage</c> section becomes the one SDK <see cref="TableServiceClient"/> (through Microsoft.Extensions.Azure).</summary>
public sealed class StorageConfigurationTests
{
    private const string Key = "c2VjcmV0LWtleS1ieXRlcy1mb3ItdGVzdGluZy0xMjM0NQ==";

    [Fact]
    public void Development_storage_is_azurite_path_style()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" });

        var client = provider.GetRequiredService<TableServiceClient>();

        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", client.Uri.AbsoluteUri.TrimEnd('/'));
        Assert.Same(client, provider.GetRequiredService<TableServiceClient>());
    }

    [Fact]
    public void An_azurite_connection_string_with_its_own_table_endpoint_is_used_as_given()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};TableEndpoint=http://127.0.0.1:12345/devstoreaccount1;",
        });

        var client = provider.GetRequiredService<TableServiceClient>();

        Assert.Equal("http://127.0.0.1:12345/devstoreaccount1", client.Uri.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("devstoreaccount1", client.AccountName);
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

        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", client.Uri.AbsoluteUri.TrimEnd('/'));
        Assert.IsType<TableOrderStore>(provider.GetRequiredService<IOrderStore>());
        Assert.IsType<TableOrderLookups>(provider.GetRequiredService<IOrderLookups>());
        Assert.IsType<TableOutbox>(provider.GetRequiredService<IOutboxReader>());
    }

    [Fact]
    public async Task Table_service_uri_uses_the_apps_one_token_credential_for_the_storage_scope()
    {
        var credential = new CountingCredential();
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(HttpStatusCode.NotFound));
        using var provider = Services(
            new Dictionary<string, string?> { ["Storage:TableServiceUri"] = "https://payacct.table.core.windows.net/" },
            services =>
            {
                services.AddSingleton<TokenCredential>(credential);
                services.Configure<TableClientOptions>("Default", o => o.Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(handler)));
            });

        var client = provider.GetRequiredService<TableServiceClient>();
        var table = client.GetTableClient("orders");
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "r1")).HasValue);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "r2")).HasValue);

        Assert.Equal("https://payacct.table.core.windows.net/", client.Uri.AbsoluteUri);
        Assert.Equal(1, credential.Calls);
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer token-1", r.Authorization));
    }

    [Fact]
    public void Without_a_registered_credential_there_is_one_DefaultAzureCredential()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Storage:TableServiceUri"] = "https://payacct.table.core.windows.net/" });

        Assert.IsType<Azure.Identity.DefaultAzureCredential>(provider.GetRequiredService<TokenCredential>());
        Assert.Single(provider.GetServices<TokenCredential>());
    }

    [Theory]
    [InlineData("AccountName=a;AccountKey=" + Key + ";TableEndpoint=ftp://x")]
    [InlineData("nonsense")]
    [InlineData("AccountName=a;AccountKey=" + Key + ";DefaultEndpointsProtocol=gopher")]
    public void An_invalid_connection_string_fails_validation_without_showing_the_key(string connectionString)
    {
        using var provider = Services(new Dictionary<string, string?> { ["Storage:ConnectionString"] = connectionString });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TableStorageOptions>>().Value);

        Assert.Contains("Storage:ConnectionString is invalid", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_retry_keys_feed_the_sdks_retry_options()
    {
        var options = new TableStorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            MaxRetryAttempts = 7,
            RetryBaseDelay = TimeSpan.FromMilliseconds(300),
            RetryMaxDelay = TimeSpan.FromSeconds(3),
            AttemptTimeout = TimeSpan.FromSeconds(9),
        };

        var clientOptions = TableStorageClients.CreateClientOptions(options, new StorageHealth());

        Assert.Equal(7, clientOptions.Retry.MaxRetries);
        Assert.Equal(RetryMode.Exponential, clientOptions.Retry.Mode);
        Assert.Equal(TimeSpan.FromMilliseconds(300), clientOptions.Retry.Delay);
        Assert.Equal(TimeSpan.FromSeconds(3), clientOptions.Retry.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(9), clientOptions.Retry.NetworkTimeout);
        Assert.False(clientOptions.Diagnostics.IsLoggingEnabled);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOrderStorage(configuration);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private sealed class CountingCredential : TokenCredential
    {
        public int Calls { get; private set; }

        public string[] Scopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            Scopes = requestContext.Scopes;
            return ValueTask.FromResult(new AccessToken($"token-{Calls}", DateTimeOffset.UtcNow.AddHours(1)));
        }
    }
}
