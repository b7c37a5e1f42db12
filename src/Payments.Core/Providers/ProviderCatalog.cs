using System.Collections.Frozen;

namespace Payments.Core.Providers;

/// <summary>The registered providers by name.</summary>
public sealed class ProviderCatalog
{
    private readonly FrozenDictionary<string, IPaymentProvider> _byName;

    public ProviderCatalog(IEnumerable<IPaymentProvider> providers)
    {
        _byName = providers.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
        Names = _byName.Keys.ToFrozenSet(StringComparer.Ordinal);
    }

    public IReadOnlySet<string> Names { get; }

    public IEnumerable<IPaymentProvider> All => _byName.Values;

    public bool TryGet(string? name, out IPaymentProvider provider)
    {
        if (name is not null && _byName.TryGetValue(name, out var p))
        {
            provider = p;
            return true;
        }

        provider = null!;
        return false;
    }

    /// <summary>
    /// The provider named <paramref name="name"/> as <typeparamref name="TOperations"/>, when it is registered, claims
    /// <paramref name="capability"/> and implements that port; null otherwise (the caller refuses before calling anything).
    /// </summary>
    public TOperations? Capable<TOperations>(string? name, ProviderCapabilities capability)
        where TOperations : class =>
        TryGet(name, out var provider) && provider.Capabilities.HasFlag(capability) ? provider as TOperations : null;
}
