using Microsoft.Extensions.Options;

namespace Payments.Providers.Http;

/// <summary>
/// Outside the provider's resilience handler (<see cref="ProviderPipelines"/>): turns every failure that is left
/// after the retries into the provider's <see cref="Core.Providers.ProviderException"/>, so callers get a successful
/// response or that exception, nothing else (a cancellation by the caller stays an
/// <see cref="OperationCanceledException"/>).
/// </summary>
internal sealed class ProviderErrorHandler(string provider, IOptionsMonitor<ProviderHttpOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Get(provider);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                                   && ProviderErrors.FromException(provider, request, ex) is { } mapped)
        {
            throw mapped;
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ProviderErrors.FromResponseAsync(provider, request, response, settings, cancellationToken);
        }
    }
}
