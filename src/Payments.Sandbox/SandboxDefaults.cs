namespace Payments.Sandbox;

/// <summary>
/// Provider settings that point the real provider clients at the simulators, for local runs with the
/// sandbox on. Only used where the setting is not given explicitly. The credentials are placeholders the
/// simulators accept; they are not secrets.
/// </summary>
public static class SandboxDefaults
{
    public static IEnumerable<KeyValuePair<string, string?>> For(string publicBaseUrl)
    {
        var sandbox = $"{publicBaseUrl.TrimEnd('/')}/sandbox";
        yield return new("Providers:Next:BaseUrl", $"{sandbox}/next");
        yield return new("Providers:Next:AccessToken", "sandbox-access-token");
        yield return new("Providers:Next:WebhookSecret", "sandbox-webhook-secret");
        yield return new("Providers:Mangopay:BaseUrl", $"{sandbox}/mangopay");
        yield return new("Providers:Mangopay:ClientId", Mangopay.MangopaySandboxOptions.DefaultClientId);
        yield return new("Providers:Mangopay:ApiKey", Mangopay.MangopaySandboxOptions.DefaultApiKey);
        yield return new("Providers:Mangopay:CreditedWalletId", "wlt_sandbox");
        yield return new("Providers:Mangopay:AuthorId", "usr_sandbox");
        yield return new("Providers:NeuroPay:BaseUrl", $"{sandbox}/neuropay");
        yield return new("Providers:NeuroPay:ApiKey", "sandbox-api-key");
        yield return new("Providers:Twisto:BaseUrl", $"{sandbox}/twisto");
        yield return new("Providers:Twisto:SecretKey", "sandbox-secret-key");
        yield return new("Providers:Twisto:MerchantReference", "sandbox-merchant");
    }
}
