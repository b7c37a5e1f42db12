using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Host.Api;

namespace Payments.Host.Returns;

/// <summary>
/// <c>GET|POST /api/return/{provider}/{orderId}/{token}</c>: where the shopper's browser comes back. The
/// return is only a hint: the provider's API decides, and the shopper is sent on with a 303.
/// </summary>
public static class ReturnApi
{
    public static IEndpointRouteBuilder MapReturnApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/return/{provider}/{orderId}/{token}", [HttpMethods.Get, HttpMethods.Post], HandleAsync)
            .WithName("ShopperReturn")
            .ProducesProblems(StatusCodes.Status400BadRequest, "bad-request")
            .ProducesProblems(StatusCodes.Status404NotFound, "not-found")
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, "body-too-large");
        return app;
    }

    /// <summary>What a return handler needs besides the request.</summary>
    public sealed record ReturnServices(
        [FromServices] ProviderCatalog Providers, [FromServices] ReturnLinks Links, [FromServices] PaymentService Payments, [FromServices] ILoggerFactory Loggers);

    public static async Task<Results<SeeOtherHttpResult, ProblemHttpResult, ReturnRetryPage>> HandleAsync(
        string provider,
        string orderId,
        string token,
        HttpRequest request,
        [AsParameters] ReturnServices services,
        CancellationToken cancellationToken)
    {
        // Everything that does not check out is the same 404: no hint about which part was wrong.
        if (!services.Providers.TryGet(provider, out var p) || !PaymentService.IsOrderId(orderId) || !services.Links.IsValidToken(orderId, token))
        {
            return Problems.NotFound("return");
        }

        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var (body, unread) = await RequestBody.ReadAsync(request, RequestBody.MaxCallbackBodyBytes, cancellationToken);
            if (body is null)
            {
                return unread!;
            }

            foreach (var (k, v) in QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body)))
            {
                form[k] = v.ToString();
            }
        }

        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var cancelled = query.ContainsKey("cancel");
        var evidence = p.ReadReturn(new ReturnRequest(request.Method, query, form, cancelled));

        ReturnOutcome outcome;
        try
        {
            outcome = await services.Payments.SettleReturnAsync(p, orderId, evidence, cancellationToken);
        }
        catch (Exception ex) when (Problems.Transient(ex) is not null)
        {
            // Storage is out, or the order too busy to write, for a moment: the shopper (who may have paid) gets a page
            // that repeats this same return, with the same evidence, until it can be recorded.
            services.Loggers.CreateLogger(typeof(ReturnApi)).LogWarning("Return of {OrderId} not recorded yet ({Failure}); answering the retry page",
                orderId, ex.GetType().Name);
            return ReturnRetryPage.For(request, form);
        }

        return outcome switch
        {
            ReturnOutcome.Known known => new SeeOtherHttpResult(ShopperDestination(known.Order, cancelled || evidence.Claim == ClaimedOutcome.Cancelled)),
            ReturnOutcome.UnknownOrder => Problems.NotFound("return"),
            _ => throw new InvalidOperationException($"Unhandled result {outcome.GetType().Name}"),
        };
    }

    /// <summary>
    /// Succeeded and authorized go to successUrl; failed, cancelled and expired to failureUrl. A payment still
    /// pending goes to successUrl with status=pending, since it may yet complete, unless the shopper came back
    /// through the cancel link: then to failureUrl, still with status=pending. Either way the storefront must
    /// read <c>status</c> (or the order) and not take the page itself as proof of payment.
    /// </summary>
    public static string ShopperDestination(Order order, bool shopperCancelled = false)
    {
        var target = order.Status is PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired
            || (shopperCancelled && order.Status == PaymentStatus.Pending)
            ? order.FailureUrl
            : order.SuccessUrl;
        return QueryHelpers.AddQueryString(target, new Dictionary<string, string?>
        {
            ["orderId"] = order.Id,
            ["status"] = order.Status.ToWire(),
        });
    }
}
