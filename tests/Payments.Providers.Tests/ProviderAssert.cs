namespace Payments.Providers.Tests;

/// <summary>
/// A provider call's failure: there is one exception type for every provider, so a test that expects one provider's
/// failure checks the type and that the failure names that provider (what a provider's own catch filters test).
/// </summary>
internal static class ProviderAssert
{
    /// <summary><paramref name="call"/> throws a <see cref="ProviderException"/> of <paramref name="provider"/>, returned for further checks.</summary>
    public static async Task<ProviderException> ThrowsAsync(string provider, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<ProviderException>(call);
        Assert.Equal(provider, ex.Provider);
        return ex;
    }
}
