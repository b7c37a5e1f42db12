using Payments.Providers.Http;

namespace Payments.Providers.Next;

/// <summary>
/// A failed NEXT call: a marker type only (what this provider's catch filters tell its own failures by). Its fields come from
/// <see cref="ProviderFailureException"/>; it is built by <see cref="ProviderErrors.Create"/> from this provider's
/// options, or with <c>new</c> from a <see cref="ProviderFailureInfo"/>.
/// </summary>
public sealed class NextException(ProviderFailureInfo info) : ProviderFailureException(info);
