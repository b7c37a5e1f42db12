using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

/// <summary>
/// A failed Mangopay call. Built only from a <see cref="ProviderFailureInfo"/>: by <see cref="ProviderErrors"/> for
/// HTTP failures, and by <see cref="MangopayClient"/> for the few answers that are failures although they are 2xx.
/// </summary>
public sealed class MangopayException : ProviderException
{
    public MangopayException(ProviderFailureInfo info)
        : base(info.Provider, info.Failure, info.Message, info.StatusCode, info.ProviderCode, info.RawBody, info.InnerException, info.NotSent)
    {
    }
}
