using Payments.Sandbox.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>The sandbox's default credentials, as <c>SandboxDefaults</c> hands them to the client.</summary>
internal static class MangopayOptionsDefaults
{
    public const string ClientId = MangopaySandboxOptions.DefaultClientId;
    public const string ApiKey = MangopaySandboxOptions.DefaultApiKey;
}
