using System.Net;
using Azure.Core;
using Payments.Storage.Tables;

namespace Payments.Storage.Tests;

public sealed class BearerTokenTests
{
    [Fact]
    public async Task Table_service_uri_sends_a_cached_bearer_token_for_the_storage_scope()
    {
        var credential = new CountingCredential();
        var handler = new ScriptedHandler(_ => ScriptedHandler.Status(HttpStatusCode.NotFound));
        var client = new TableServiceClient(
            new TableStorageOptions { TableServiceUri = new Uri("https://payacct.table.core.windows.net/") },
            new HttpClient(handler),
            credential);
        var table = client.GetTableClient("orders");

        await table.GetEntityAsync("p", "r1");
        await table.GetEntityAsync("p", "r2");

        Assert.Equal(1, credential.Calls);
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer token-1", r.Authorization));
        Assert.All(handler.Requests, r => Assert.NotNull(r.Date));
        Assert.Equal("https://payacct.table.core.windows.net/orders(PartitionKey='p',RowKey='r1')", handler.Requests[0].Uri.AbsoluteUri);
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
