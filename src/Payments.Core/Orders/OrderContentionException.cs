namespace Payments.Core.Orders;

/// <summary>
/// An order kept changing under every write attempt (many writers on one order at once). Nothing of this
/// caller's change was written, so the request is safe to repeat: the host answers <c>409 order-busy</c> with
/// <c>Retry-After</c>.
/// </summary>
public sealed class OrderContentionException(string orderId, int attempts)
    : Exception($"Order {orderId} kept changing under {attempts} write attempts.")
{
    public string OrderId { get; } = orderId;
    public int Attempts { get; } = attempts;
}
