using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Twisto;

/// <summary>A failed Twisto call. Built only by <see cref="ProviderErrors"/> from the response or the transport failure.</summary>
public sealed class TwistoException : ProviderException
{
    public TwistoException(ProviderFailureInfo info)
        : base(info.Provider, info.Failure, info.Message, info.StatusCode, info.ProviderCode, info.RawBody, info.InnerException, info.NotSent)
    {
    }
}
