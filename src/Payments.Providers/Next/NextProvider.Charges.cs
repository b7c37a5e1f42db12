using Microsoft.Extensions.Logging;
using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.Next;

/// <summary>Charges on a paid NEXT order: upsells (add line items) and recurring (subscription renewals).</summary>
public sealed partial class NextProvider : IChargeOperations
{
    /// <summary>NEXT takes no idempotency key: a charge call that may have reached it is never repeated.</summary>
    public bool ChargesAreIdempotent => false;

    public IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft) => NextOrderMapping.ValidateCharge(order, draft);

    /// <summary>
    /// <c>POST /orders/{number}/add-line-items/</c> with the charge's lines (<c>is_upsell</c>): NEXT charges the order's
    /// original payment method. The answer is the order; the newest transaction says whether the charge went through
    /// (<c>succeeded</c>/<c>failed</c>; anything else is undecided and left for review). A 4xx is NEXT refusing (failed).
    /// </summary>
    public async Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        var number = order.ProviderReference
            ?? throw new InvalidOperationException($"Order {order.Id} has no NEXT order number; the charge should have been refused.");
        var settings = options.CurrentValue;
        var body = new NextAddLineItemsRequest
        {
            Lines = NextOrderMapping.ToLines(charge.Items, order.Amount.Currency.Exponent, subscription: null, isUpsell: true),
            PaymentDetails = (order.ProviderOptions.ContainsKey(NextOrderMapping.PaymentGatewayOption) || settings.PaymentGateway is not null)
                ? new NextAddLineItemsPaymentDetails
                {
                    PaymentGateway = NextOrderMapping.GatewayOption(order) ?? settings.PaymentGateway,
                }
                : null,
        };
        var next = await client.AddLineItemsAsync(number, body, cancellationToken);
        var transaction = next.Transactions?.Where(t => t.Id is not null).MaxBy(t => t.Id);
        return transaction?.Status switch
        {
            "succeeded" => new ProviderChargeResult(ChargeOutcome.Succeeded, TransactionReference(number, transaction), next.PaymentStatus),
            "failed" => new ProviderChargeResult(ChargeOutcome.Failed, TransactionReference(number, transaction), next.PaymentStatus,
                $"NEXT declined the upsell (transaction response_code {transaction.ResponseCode})"),
            _ => new ProviderChargeResult(ChargeOutcome.Undecided, number, next.PaymentStatus,
                "NEXT added the lines but its answer shows no settled transaction; check the order at NEXT"),
        };
    }

    /// <summary>
    /// Renews the order's NEXT subscription: <c>POST /subscriptions/{id}/renew/</c> ("trigger a subscription renewal
    /// order"), then reads the renewal order NEXT lists for the newest billing cycle and maps its <c>payment_status</c>.
    /// </summary>
    /// <remarks>
    /// What the 2024-04-01 spec leaves open, decided here in one place:
    /// <list type="bullet">
    /// <item>NEXT also renews subscriptions by itself on <c>next_renewal_date</c>. Before an automatic renewal (a charge
    /// with a billing cycle) the subscription is read first, and when NEXT already lists an order for that cycle it is
    /// taken as the result instead of renewing again, so the two schedulers cannot charge one cycle twice. A store that
    /// lets this service drive renewals should still keep NEXT's own schedule at or after ours.</item>
    /// <item>The renew answer is the SubscriptionDetail; whether the renewal order is already paid when it returns is not
    /// documented. A renewal order still pending is recorded as undecided (needs review), never renewed again.</item>
    /// <item>A subscription that ends <c>past_due</c> or <c>retrying</c> without a paid renewal order is a declined
    /// renewal (failed).</item>
    /// </list>
    /// </remarks>
    public async Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        var subscriptionId = await SubscriptionIdAsync(order, cancellationToken);
        if (subscriptionId is not { } id)
        {
            return new ProviderChargeResult(ChargeOutcome.Failed, null, null, $"NEXT order {order.ProviderReference ?? "(unknown)"} has no subscription to renew");
        }

        // Read first: the cycles NEXT already has tell a new renewal order from an old one, and NEXT's own scheduler may
        // have renewed this cycle already.
        var current = await client.GetSubscriptionAsync(id, cancellationToken);
        var known = current.Orders?.Where(o => o.OrderNumber is not null).Max(o => o.BillingCycle) ?? 0;
        var subscription = current;
        var renewal = charge.Cycle is { } cycle ? current.Orders?.FirstOrDefault(o => o.BillingCycle == cycle && o.OrderNumber is not null) : null;
        if (renewal is not null)
        {
            logger.LogInformation("NEXT subscription {SubscriptionId} already has an order for cycle {Cycle}; not renewing again", id, charge.Cycle);
        }
        else
        {
            subscription = await client.RenewSubscriptionAsync(id, cancellationToken);
            renewal = subscription.Orders?.Where(o => o.OrderNumber is not null && o.BillingCycle > known).MaxBy(o => o.BillingCycle);
        }

        if (renewal is null)
        {
            return subscription.Status is "past_due" or "retrying"
                ? new ProviderChargeResult(ChargeOutcome.Failed, null, subscription.Status, $"NEXT could not charge the renewal; the subscription is {subscription.Status}")
                : new ProviderChargeResult(ChargeOutcome.Undecided, null, subscription.Status, "NEXT answered the renewal without a new renewal order; check the subscription at NEXT");
        }

        var next = await client.GetOrderAsync(renewal.OrderNumber!, cancellationToken);
        NextStatusMapping.TryMap(next.PaymentStatus, out var status);
        return status switch
        {
            PaymentStatus.Succeeded => new ProviderChargeResult(ChargeOutcome.Succeeded, renewal.OrderNumber, next.PaymentStatus),
            PaymentStatus.Failed or PaymentStatus.Cancelled or PaymentStatus.Expired => new ProviderChargeResult(ChargeOutcome.Failed, renewal.OrderNumber,
                next.PaymentStatus, $"NEXT renewal order {renewal.OrderNumber} is {next.PaymentStatus}"),
            _ => new ProviderChargeResult(ChargeOutcome.Undecided, renewal.OrderNumber, next.PaymentStatus,
                $"NEXT renewal order {renewal.OrderNumber} is {next.PaymentStatus ?? "(no payment status)"}; check it at NEXT"),
        };
    }

    private async Task<long?> SubscriptionIdAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderData.TryGetValue(SubscriptionIdKey, out var text)
            && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var stored))
        {
            return stored;
        }

        if (order.ProviderReference is not { } number)
        {
            return null;
        }

        var next = await client.GetOrderAsync(number, cancellationToken);
        return next.Subscriptions?.FirstOrDefault(s => s.Id is not null)?.Id;
    }
}
