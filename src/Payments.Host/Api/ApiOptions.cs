namespace Payments.Host.Api;

/// <summary>Standalone API keys for merchant endpoints (<c>Api:Keys</c>). In Azure, function keys do this job.</summary>
public sealed class ApiOptions
{
    /// <summary>Accepted values of the <c>X-Api-Key</c> header. Empty: no key is required (local runs).</summary>
    public List<string> Keys { get; } = [];
}
