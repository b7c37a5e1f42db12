using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Providers;

/// <summary>
/// How every provider's <see cref="IPaymentProvider.ConfirmAsync"/> picks the payment it reads, and what a payment the
/// provider does not know means. A return or a webhook is only a hint: the reference linked to the order at create
/// wins over the one a callback names (a callback naming another payment is logged, never followed), and a payment
/// named only by a callback that the provider does not know changes nothing (a stale or forged hint), while an
/// unknown linked payment stays a failure.
/// </summary>
/// <param name="provider">The provider's name (<see cref="ProviderException.Provider"/> of its failures).</param>
/// <param name="payment">What the provider's payment is called in logs ("NEXT order", "Mangopay pay-in").</param>
/// <param name="logger">The provider's logger.</param>
public sealed class ProviderConfirmation(string provider, string payment, ILogger logger)
{
    /// <summary>The order's linked reference, else the one <paramref name="evidence"/> names; null when neither names one.</summary>
    public string? Reference(Order order, ReturnEvidence? evidence)
    {
        if (order.ProviderReference is not null && evidence?.ProviderReference is { } claimed && claimed != order.ProviderReference)
        {
            logger.LogWarning("A callback for order {OrderId} names {Payment} {Claimed}, but the order is linked to {Linked}; confirming the linked one",
                order.Id, payment, claimed, order.ProviderReference);
        }

        return order.ProviderReference ?? evidence?.ProviderReference;
    }

    /// <summary>
    /// <paramref name="read"/>'s answer; null when the provider does not know <paramref name="reference"/> and it is not
    /// <paramref name="linked"/> to the order (only a callback named it). Every other failure is thrown.
    /// </summary>
    public async Task<T?> ReadAsync<T>(Order order, string reference, bool linked, Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (ProviderException ex) when (ex.IsFrom(provider) && ex.Failure == ProviderFailure.NotFound && !linked)
        {
            logger.LogWarning("A callback for order {OrderId} names {Payment} {Reference}, which {Provider} does not know",
                order.Id, payment, reference, provider);
            return null;
        }
    }
}
