using Microsoft.Extensions.Options;
using Payments.Core.Money;
using Payments.Core.Validation;
using Payments.Providers.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

public sealed class MangopayValidationTests
{
    private static OrderDraft Draft(long amount = 4990, string currency = "CHF", Dictionary<string, string>? options = null, string reference = "SO-1001") => new(
        "mangopay", reference, new Money(amount, Currency.FromCode(currency)), [], null,
        "https://shop.example/done", "https://shop.example/failed", null,
        options ?? new Dictionary<string, string>(), new Dictionary<string, string>());

    private static List<ValidationIssue> Validate(OrderDraft draft, IPaymentLinks? links = null)
    {
        using var services = MangopayTestKit.Services(null, links: links);
        return services.Provider().Validate(draft).ToList();
    }

    [Fact]
    public void A_chf_order_passes()
    {
        Assert.Empty(Validate(Draft()));
        Assert.Empty(Validate(Draft(amount: 1, options: new() { ["fees"] = "0.01", ["statementDescriptor"] = "ACME 2024" })));
    }

    [Fact]
    public void Other_currencies_are_refused()
    {
        var issue = Assert.Single(Validate(Draft(currency: "EUR")));

        Assert.Equal("currency", issue.Field);
        Assert.Equal(IssueKind.Unprocessable, issue.Kind);
        Assert.StartsWith("mangopay:", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Less_than_one_centime_is_refused()
    {
        Assert.Equal("amount", Assert.Single(Validate(Draft(amount: 0))).Field);
    }

    [Theory]
    [InlineData("1.5.0")]
    [InlineData("-1")]
    [InlineData("0.001")]
    [InlineData("abc")]
    [InlineData("49.91")]
    public void Unusable_or_excessive_fees_are_refused(string fees)
    {
        Assert.Equal("providerOptions.fees", Assert.Single(Validate(Draft(options: new() { ["fees"] = fees }))).Field);
    }

    [Theory]
    [InlineData("ELEVEN CHRS")]
    [InlineData("Café")]
    [InlineData("ACME-SHOP")]
    [InlineData("")]
    public void A_statement_descriptor_outside_mangopays_rule_is_refused(string descriptor)
    {
        Assert.Equal("providerOptions.statementDescriptor", Assert.Single(Validate(Draft(options: new() { ["statementDescriptor"] = descriptor }))).Field);
    }

    [Fact]
    public void A_public_base_url_too_long_for_mangopays_255_character_return_url_is_refused()
    {
        // "/api/return/mangopay/" + 36-character id + "/" + 43-character token = 101 characters after the base.
        var fits = "https://" + new string('a', 146); // 154 characters: the return URL is exactly 255
        var tooLong = fits + "b";

        Assert.Empty(Validate(Draft(), new FakeLinks(fits)));
        var issue = Assert.Single(Validate(Draft(), new FakeLinks(tooLong)));
        Assert.Equal("returnUrl", issue.Field);
        Assert.Contains("256", issue.Message, StringComparison.Ordinal);
        Assert.Contains("PublicBaseUrl", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_claim_refunds_and_hooks_but_not_capture_cancel_or_recurring()
    {
        using var services = MangopayTestKit.Services(null);
        var capabilities = services.Provider().Capabilities;

        Assert.True(capabilities.HasFlag(ProviderCapabilities.Refund));
        Assert.True(capabilities.HasFlag(ProviderCapabilities.Webhook));
        Assert.True(capabilities.HasFlag(ProviderCapabilities.Return));
        Assert.False(capabilities.HasFlag(ProviderCapabilities.Capture));
        Assert.False(capabilities.HasFlag(ProviderCapabilities.Cancel));
        Assert.False(capabilities.HasFlag(ProviderCapabilities.Recurring));
        Assert.False(capabilities.HasFlag(ProviderCapabilities.Upsell));
        Assert.IsAssignableFrom<IWebhookReceiver>(services.Provider());
        Assert.IsAssignableFrom<IPaymentOperations>(services.Provider());
    }

    [Fact]
    public void Without_the_section_mangopay_is_not_registered()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPaymentProviders(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.DoesNotContain(provider.GetServices<IPaymentProvider>(), p => p.Name == "mangopay");
    }

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Providers:Mangopay:BaseUrl", "api.mangopay.com", "BaseUrl" },
        { "Providers:Mangopay:BaseUrl", "https://u:p@api.mangopay.com", "BaseUrl" },
        { "Providers:Mangopay:ClientId", "", "ClientId" },
        { "Providers:Mangopay:ClientId", "acme/platform", "ClientId" },
        { "Providers:Mangopay:ApiKey", " ", "ApiKey" },
        { "Providers:Mangopay:CreditedWalletId", "", "CreditedWalletId" },
        { "Providers:Mangopay:AuthorId", "", "AuthorId" },
        { "Providers:Mangopay:TokenPath", "https://evil.example/token", "TokenPath" },
        { "Providers:Mangopay:TokenPath", "/v2.01/oauth/token?x=1", "TokenPath" },
        { "Providers:Mangopay:StatementDescriptor", "TOO LONG DESC", "StatementDescriptor" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_settings_fail_at_start_up_naming_the_setting_but_not_the_key(string key, string? value, string named)
    {
        using var services = MangopayTestKit.Services(null, s => s[key] = value);

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MangopayOptions>>().Value);

        Assert.Contains($"Providers:Mangopay:{named}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MangopayTestKit.ApiKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_token_path_is_mangopays_documented_one()
    {
        using var services = MangopayTestKit.Services(null);
        var options = services.GetRequiredService<IOptions<MangopayOptions>>().Value;

        Assert.Equal("/v2.01/oauth/token", options.TokenPath);
        Assert.Equal("https://api.sandbox.mangopay.com/v2.01/oauth/token", MangopayTokens.TokenUri(options).AbsoluteUri);
    }
}
