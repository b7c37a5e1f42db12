namespace Payments.Core.Tests;

internal sealed class FakeLinks : IPaymentLinks
{
    public Uri ReturnUrl(Order order) => new($"https://pay.test/api/return/{order.Provider}/{order.Id}/t");
    public Uri CancelUrl(Order order) => new($"https://pay.test/api/return/{order.Provider}/{order.Id}/t?cancel=1");
    public Uri WebhookUrl(string provider) => new($"https://pay.test/api/webhooks/{provider}");
}
