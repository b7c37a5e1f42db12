namespace Payments.Core.Tests;

public class PaymentOperationsTests
{

    private readonly InMemoryOrderStore _store = new();
    private readonly OperationsProvider _provider = new();
    private readonly PaymentService _payments;
    private readonly PaymentOperations _operations;

    public PaymentOperationsTests()
    {
        var catalog = new ProviderCatalog([_provider]);
        _payments = new PaymentService(catalog, _store, new InMemoryLookups(), new FakeLinks(), TimeProvider.System, NullLogger<PaymentService>.Instance);
        _operations = new PaymentOperations(catalog, _store, _payments, NullLogger<PaymentOperations>.Instance);
    }

    private async Task<string> AuthorizedOrderAsync()
    {
        var request = Requests.AmountOnly("ops", amount: "100.00");
        var draft = Requests.Draft(request);
        var order = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, "k", default)).Order;
        Assert.Equal(PaymentStatus.Authorized, (await _payments.SettleAsync(order.Id, null, TransitionSource.Return, default))!.Status);
        return order.Id;
    }

    private async Task<string> PaidOrderAsync()
    {
        var id = await AuthorizedOrderAsync();
        Assert.IsType<OperationResult.Done>(await _operations.CaptureAsync(id, default));
        return id;
    }

    [Fact]
    public async Task Capture_moves_an_authorized_order_to_succeeded_and_refuses_anything_else()
    {
        var id = await AuthorizedOrderAsync();
        var done = Assert.IsType<OperationResult.Done>(await _operations.CaptureAsync(id, default));
        Assert.Equal(PaymentStatus.Succeeded, done.Order.Status);
        Assert.Equal(TransitionSource.Api, done.Order.History[^1].Source);
        Assert.IsType<OperationResult.InvalidState>(await _operations.CaptureAsync(id, default));
        Assert.IsType<OperationResult.NotFound>(await _operations.CaptureAsync("ord_0000000000000000000000000000000f", default));
    }

    [Fact]
    public async Task Cancel_only_before_payment()
    {
        var id = await AuthorizedOrderAsync();
        Assert.Equal(PaymentStatus.Cancelled, Assert.IsType<OperationResult.Done>(await _operations.CancelAsync(id, default)).Order.Status);
        Assert.IsType<OperationResult.InvalidState>(await _operations.CancelAsync(await PaidOrderAsyncNewKey(), default));
    }

    private async Task<string> PaidOrderAsyncNewKey()
    {
        var request = Requests.AmountOnly("ops", "SO-2", "100.00");
        var draft = Requests.Draft(request);
        var order = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, "k2", default)).Order;
        await _payments.SettleAsync(order.Id, null, TransitionSource.Return, default);
        await _operations.CaptureAsync(order.Id, default);
        return order.Id;
    }
}
