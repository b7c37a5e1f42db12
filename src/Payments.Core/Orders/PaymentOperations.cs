using Microsoft.Extensions.Logging;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>Capture and cancel: checked against capability and status before the provider is called. Refunds: <see cref="Refunds.RefundService"/>.</summary>
public sealed class PaymentOperations(
    ProviderCatalog providers,
    IOrderStore orders,
    PaymentService payments,
    ILogger<PaymentOperations> logger)
{
    public Task<OperationResult> CaptureAsync(string orderId, CancellationToken cancellationToken) =>
        RunAsync(orderId, ProviderCapabilities.Capture,
            order => order.Status == PaymentStatus.Authorized ? null : $"only an authorized order can be captured; it is {order.Status.ToWire()}",
            (ops, order, ct) => ops.CaptureAsync(order, ct), cancellationToken);

    public Task<OperationResult> CancelAsync(string orderId, CancellationToken cancellationToken) =>
        RunAsync(orderId, ProviderCapabilities.Cancel,
            order => order.Status is PaymentStatus.Pending or PaymentStatus.Authorized ? null
                : $"only a pending or authorized order can be cancelled; it is {order.Status.ToWire()}",
            (ops, order, ct) => ops.CancelAsync(order, ct), cancellationToken);

    private async Task<OperationResult> RunAsync(string orderId, ProviderCapabilities capability, Func<Order, string?> refuse,
        Func<IPaymentOperations, Order, CancellationToken, Task<ProviderPaymentState>> call, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken);
        if (stored is null)
        {
            return new OperationResult.NotFound();
        }

        var order = stored.Order;
        if (Operations(order, capability) is not { } ops)
        {
            return new OperationResult.NotSupported(order.Provider, capability);
        }

        if (refuse(order) is { } why)
        {
            return new OperationResult.InvalidState(order, why);
        }

        try
        {
            var state = await call(ops, order, cancellationToken);
            return new OperationResult.Done(await payments.ApplyAsync(orderId, state, TransitionSource.Api, cancellationToken));
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("{Capability} of order {OrderId} at {Provider} failed: {Failure} {StatusCode}", capability, orderId, order.Provider, ex.Failure, ex.StatusCode);
            return new OperationResult.ProviderFailed(order, ex);
        }
    }

    private IPaymentOperations? Operations(Order order, ProviderCapabilities capability) => providers.Capable<IPaymentOperations>(order.Provider, capability);
}
