namespace Payments.Host.Tests;

/// <summary>
/// The committed contract (<c>openapi/payments-v1.json</c>) is what the app generates: a change of contract is a visible
/// diff. To accept a change, regenerate it: <c>PAYMENTS_UPDATE_OPENAPI=1 dotnet test tests/Payments.Host.Tests --filter OpenApiDocumentTests</c>.
/// </summary>
public class OpenApiDocumentTests
{
    public const string UpdateVariable = "PAYMENTS_UPDATE_OPENAPI";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public async Task The_committed_document_is_the_one_the_app_generates()
    {
        var generated = await GenerateAsync();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(RepoFiles.OpenApiDocument, generated);
        }

        Assert.True(File.Exists(RepoFiles.OpenApiDocument), $"{RepoFiles.OpenApiDocument} is missing; run with {UpdateVariable}=1 to write it");
        var committed = (await File.ReadAllTextAsync(RepoFiles.OpenApiDocument)).ReplaceLineEndings("\n");
        Assert.True(committed == generated,
            $"openapi/payments-v1.json differs from what the app generates. If the contract change is intended, run with {UpdateVariable}=1 and commit the diff.");
    }

    [Fact]
    public async Task Only_api_routes_are_documented_and_every_operation_is_named_summarised_and_secured_or_public()
    {
        var doc = JsonNode.Parse(await GenerateAsync())!;
        Assert.Equal("3.1.1", doc["openapi"]!.GetValue<string>());
        var paths = doc["paths"]!.AsObject();
        Assert.All(paths, p => Assert.StartsWith("/api/", p.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.Key.Contains("sandbox", StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith("/api/openapi", StringComparison.Ordinal));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in paths)
        {
            foreach (var (method, op) in item!.AsObject())
            {
                Assert.True(ids.Add(op!["operationId"]!.GetValue<string>()), $"{method} {path}: duplicate operationId");
                Assert.False(string.IsNullOrEmpty(op["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
                Assert.NotNull(op["security"]);
            }
        }

        foreach (var name in new[] { "CreateOrder", "GetOrder", "CaptureOrder", "RefundOrder", "CancelOrder", "CreateUpsell", "CreateRecurringCharge",
            "CreateCustomer", "GetCustomer", "DeleteCustomer", "ShopperReturnGet", "ShopperReturnPost", "ProviderWebhookGet", "ProviderWebhookPost", "Health" })
        {
            Assert.Contains(name, ids);
        }

        var create = paths["/api/orders"]!["post"]!;
        Assert.Contains(create["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header");
        Assert.NotNull(create["requestBody"]!["content"]!["application/json"]!["example"]);
        Assert.NotNull(paths["/api/orders/{orderId}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]);
        Assert.Equal(2, create["security"]!.AsArray().Count);
        Assert.Empty(paths["/api/health"]!["get"]!["security"]!.AsArray());
        var schemes = doc["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("X-Api-Key", schemes["apiKey"]!["name"]!.GetValue<string>());
        Assert.Equal("x-functions-key", schemes["functionKey"]!["name"]!.GetValue<string>());
    }

    /// <summary>The document as the app serves it at <c>/api/openapi/v1.json</c>, indented, with "\n" line ends.</summary>
    public static async Task<string> GenerateAsync()
    {
        var port = LoopbackPorts.Free();
        await using var app = PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Sandbox:Enabled"] = "false",
            ["Timers:Enabled"] = "false",
            ["ServiceBus:InProcess:Pump"] = "false",
            ["Security:SigningKey"] = new string('k', 40),
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["PublicBaseUrl"] = "https://pay.example",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var json = await client.GetStringAsync("/api/openapi/v1.json");
            using var parsed = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(parsed.RootElement, Indented)
                .ReplaceLineEndings("\n") + "\n";
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
