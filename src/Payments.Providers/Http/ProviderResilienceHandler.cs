using Microsoft.Extensions.Options;
using Polly;

namespace Payments.Providers.Http;

/// <summary>
/// Sends each request through the provider's resilience pipeline and turns every failure into the provider's
/// <see cref="Core.Providers.ProviderException"/>: callers get a successful response or that exception, nothing
/// else (a cancellation by the caller stays an <see cref="OperationCanceledException"/>). The handler itself is
/// recycled with the HTTP handler chain; the pipeline (and its circuit) lives in <see cref="ProviderPipelines"/>.
/// </summary>
public sealed class ProviderResilienceHandler(string provider, ProviderPipelines pipelines, IOptionsMonitor<ProviderHttpOptions> options)
    : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Get(provider);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ProviderPipelines.RequestKey, request);
        HttpResponseMessage response;
        try
        {
            response = await pipelines.For(provider).ExecuteAsync(
                static (ctx, state) => state.Handler.SendOnceAsync(state.Request, ctx.CancellationToken),
                context,
                (Handler: this, Request: request));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                                   && ProviderErrors.FromException(provider, request, ex, settings) is { } mapped)
        {
            throw mapped;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
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

    private async ValueTask<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await base.SendAsync(request, cancellationToken);
}
