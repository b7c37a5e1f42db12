using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Next;

/// <summary>A failed NEXT call. Built only by <see cref="ProviderErrors"/> from the response or the transport failure.</summary>
public sealed class NextException : ProviderException
{
    public NextException(ProviderFailureInfo info)
        : base(info.Provider, info.Failure, info.Message, info.StatusCode, info.ProviderCode, info.RawBody, info.InnerException, info.NotSent)
    {
    }
}
