using Microsoft.Extensions.Options;
using Payments.Host.Health;

namespace Payments.Host.Tests;

/// <summary>Configuration that would make the service unsafe stops it at start, with a message naming the setting.</summary>
public class StartupValidationTests
{
    private static async Task<OptionsValidationException> StartWith(Dictionary<string, string?> overrides, bool warmedUp = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Security:SigningKey"] = new string('k', 40),
            ["Security:AllowedRedirectOrigins:0"] = "https://shop.example",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["PublicBaseUrl"] = "https://pay.example",
        };
        foreach (var (k, v) in overrides)
        {
            settings[k] = v;
        }

        var app = PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        try
        {
            if (warmedUp)
            {
                // What the start-up warm-up does on its own thread, done to the end before the host starts.
                StartupWarmUp.PrepareHostStart(app.Services);
            }

            return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unresolved_Key_Vault_reference_is_not_accepted_as_the_signing_key()
    {
        var ex = await StartWith(new() { ["Security:SigningKey"] = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/signing-key/)" });
        Assert.Contains("Security:SigningKey", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kv.vault.azure.net", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_warm_up_running_the_checks_first_does_not_let_a_bad_setting_through()
    {
        var cold = await StartWith(new() { ["Security:SigningKey"] = "short" });
        var warm = await StartWith(new() { ["Security:SigningKey"] = "short" }, warmedUp: true);
        Assert.Contains("SigningKey", warm.Message, StringComparison.Ordinal);
        Assert.Equal(cold.Message, warm.Message);
    }

    [Fact]
    public async Task A_short_signing_key_is_refused()
    {
        var ex = await StartWith(new() { ["Security:SigningKey"] = "short" });
        Assert.Contains("SigningKey", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://shop.example/checkout")]
    [InlineData("shop.example")]
    [InlineData("https://shop.example/")]
    public async Task Redirect_origins_must_be_origins(string origin)
    {
        var ex = await StartWith(new() { ["Security:AllowedRedirectOrigins:0"] = origin });
        Assert.Contains("AllowedRedirectOrigins", ex.Message, StringComparison.Ordinal);
    }
}
