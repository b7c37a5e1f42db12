using Payments.Host.Diagnostics;
using Payments.Storage.Tables;

namespace Payments.Host.Tests;

/// <summary>The storage round-trip diagnostic (Diagnostics:StorageRoundTrips): off by default, refused in Azure.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class StorageRoundTripsDiagnosticsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Off_by_default_the_wire_is_unchanged()
    {
        await using var app = await TestApp.StartAsync(azurite);

        using var health = await app.Client.GetAsync("/api/health");
        using var readOut = await app.Client.GetAsync(StorageRoundTripsDiagnostics.Route);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(health.Headers.Contains(StorageRoundTripsDiagnostics.HeaderName));
        Assert.Equal(HttpStatusCode.NotFound, readOut.StatusCode);
        Assert.Null(app.App.Services.GetService<StorageRoundTrips>());
    }

    [Fact]
    public async Task On_each_response_says_its_storage_requests_and_the_read_out_counts_them_per_endpoint()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { [StorageRoundTripsDiagnostics.Setting] = "true" });

        using var health = await app.Client.GetAsync("/api/health");
        var counts = await app.Client.GetFromJsonAsync<RoundTripSnapshot>(StorageRoundTripsDiagnostics.Route, System.Text.Json.JsonSerializerOptions.Web);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var before = long.Parse(Assert.Single(health.Headers.GetValues(StorageRoundTripsDiagnostics.HeaderName)), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(before >= 1, $"the health check reads storage, yet {before} requests were counted");
        var kind = counts!.Kinds["Health"];
        Assert.Equal(1, kind.Responded);
        Assert.Equal(before, kind.BeforeResponse);
    }

    [Fact]
    public void It_is_refused_in_Azure()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WEBSITE_SITE_NAME"] = "payments-prod",
            ["PublicBaseUrl"] = "https://pay.example",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            [StorageRoundTripsDiagnostics.Setting] = "true",
        })));

        Assert.Contains(StorageRoundTripsDiagnostics.Setting, ex.Message, StringComparison.Ordinal);
    }
}
