using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.NeuroPay;

/// <summary>Charges: recurring ones, as an automatic payment on the order's saved card; no upsells.</summary>
public sealed partial class NeuroPayProvider : IChargeOperations
{
    /// <summary>Neuro-Pay takes no idempotency key: a recurring checkout that may have been created is never created again.</summary>
    public bool ChargesAreIdempotent => false;

    public IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft) => NeuroPayOrderMapping.ValidateCharge(order, draft);

    /// <summary>Not offered (no <see cref="ProviderCapabilities.Upsell"/>): a checkout cannot be added to.</summary>
    public Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Neuro-Pay does not offer upsells.");

    /// <summary>
    /// A recurring charge: a new checkout paid at once with the customer's saved card (<c>customer_id</c> + <c>card_id</c>).
    /// The card is the order's <c>providerOptions.cardId</c>, else the customer's default saved card (the one the shopper
    /// saved while paying the first order), else the first. The checkout's status decides: paid succeeded; failed,
    /// canceled, revoked failed; anything else is undecided (needs review).
    /// </summary>
    public async Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        if (!order.ProviderOptions.TryGetValue(NeuroPayOrderMapping.CustomerIdOption, out var customerId))
        {
            return new ProviderChargeResult(ChargeOutcome.Failed, null, null, "the order names no Neuro-Pay customer");
        }

        if (!order.ProviderOptions.TryGetValue(NeuroPayOrderMapping.CardIdOption, out var cardId))
        {
            var customer = await client.RetrieveCustomerAsync(customerId, cancellationToken);
            cardId = (customer.SavedCards.FirstOrDefault(c => c.IsDefault) ?? (customer.SavedCards.Count > 0 ? customer.SavedCards[0] : null))?.CardId;
            if (cardId is null)
            {
                return new ProviderChargeResult(ChargeOutcome.Failed, null, null, $"Neuro-Pay customer {customerId} has no saved card");
            }
        }

        var checkout = await client.CreateCheckoutAsync(NeuroPayOrderMapping.ToRecurringRequest(order, charge, customerId, cardId), cancellationToken);
        NeuroPayStatusMapping.TryMap(checkout.Status, out var status);
        return status switch
        {
            PaymentStatus.Succeeded => new ProviderChargeResult(ChargeOutcome.Succeeded, checkout.CheckoutId, checkout.Status),
            PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired => new ProviderChargeResult(ChargeOutcome.Failed, checkout.CheckoutId,
                checkout.Status, $"Neuro-Pay status is {checkout.Status}"),
            _ => new ProviderChargeResult(ChargeOutcome.Undecided, checkout.CheckoutId, checkout.Status,
                $"Neuro-Pay checkout {checkout.CheckoutId} is {checkout.Status ?? "(no status)"}; check it at Neuro-Pay"),
        };
    }
}
