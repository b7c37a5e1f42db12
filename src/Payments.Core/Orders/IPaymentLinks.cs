namespace Payments.Core.Orders;

/// <summary>The public URLs this service hands to providers for one order.</summary>
public interface IPaymentLinks
{
    /// <summary>Where the shopper comes back: <c>/api/return/{provider}/{orderId}/{token}</c>.</summary>
    Uri ReturnUrl(Order order);

    /// <summary>The return URL marked as a cancellation, for providers with a separate cancel page.</summary>
    Uri CancelUrl(Order order);

    /// <summary>Where the provider notifies us: <c>/api/webhooks/{provider}</c>.</summary>
    Uri WebhookUrl(string provider);
}
