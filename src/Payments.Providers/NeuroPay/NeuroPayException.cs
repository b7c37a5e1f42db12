using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.NeuroPay;

/// <summary>A failed Neuro-Pay call. Built only by <see cref="ProviderErrors"/> from the response or the transport failure.</summary>
public sealed class NeuroPayException : ProviderException
{
    public NeuroPayException(ProviderFailureInfo info)
        : base(info.Provider, info.Failure, info.Message, info.StatusCode, info.ProviderCode, info.RawBody, info.InnerException, info.NotSent)
    {
    }
}
