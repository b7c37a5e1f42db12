using System.Diagnostics;
using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Telemetry;
using Payments.Core.Validation;

namespace Payments.Host.Telemetry;

/// <summary>
/// A provider as the rest of the app sees it, with a span and a <see cref="PaymentsTelemetry.ProviderCallDuration"/>
/// measurement around every call that reaches the provider's API (create, confirm, capture, refund, cancel, charges,
/// customers), and <see cref="PaymentsTelemetry.OrdersCreated"/> / <see cref="PaymentsTelemetry.Charges"/> counts. Wraps
/// each registered <see cref="IPaymentProvider"/> only when telemetry is on, so the order flow is instrumented without
/// touching it (nor the providers).
/// </summary>
/// <remarks>
/// It implements every provider port so that the flow's type checks (<c>provider as IPaymentOperations</c>) still work;
/// <see cref="Capabilities"/> drops the capabilities whose port the wrapped provider lacks, so a wrapped provider claims
/// nothing it could not do (the callers check the capability and the port together: the answer stays the same).
/// Spans carry the order id, the provider name and statuses, never request data: no exception message is recorded
/// (a provider's message may quote what it was sent), only the failure kind.
/// </remarks>
public sealed class InstrumentedProvider : IPaymentProvider, IPaymentOperations, IChargeOperations, IWebhookReceiver, ICustomerVault
{
    private readonly IPaymentProvider _inner;

    public InstrumentedProvider(IPaymentProvider inner)
    {
        _inner = inner;
        var capabilities = inner.Capabilities;
        if (inner is not IPaymentOperations)
        {
            capabilities &= ~(ProviderCapabilities.Capture | ProviderCapabilities.Refund | ProviderCapabilities.Cancel);
        }

        if (inner is not IChargeOperations)
        {
            capabilities &= ~(ProviderCapabilities.Upsell | ProviderCapabilities.Recurring);
        }

        if (inner is not IWebhookReceiver)
        {
            capabilities &= ~ProviderCapabilities.Webhook;
        }

        if (inner is not ICustomerVault)
        {
            capabilities &= ~ProviderCapabilities.Customers;
        }

        Capabilities = capabilities;
    }

    /// <summary>The provider this wraps.</summary>
    public IPaymentProvider Inner => _inner;

    public string Name => _inner.Name;

    public ProviderCapabilities Capabilities { get; }

    public bool SessionCreationIsIdempotent => _inner.SessionCreationIsIdempotent;

    // Every member of the ports is forwarded, the defaulted ones too: a default left to the interface would answer for
    // the provider (NEXT keeps no reference lookup, and finds a webhook's order through the NEXT order's metadata).
    // InstrumentedProviderTests checks that none is left out.
    public bool NeedsReferenceLookup => _inner.NeedsReferenceLookup;

    public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => _inner.Validate(draft);

    public ReturnEvidence ReadReturn(ReturnRequest request) => _inner.ReadReturn(request);

    public async Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken)
    {
        var order = request.Order;
        PaymentsTelemetry.TagCurrent(order.Id);
        using var call = Call.Start(PaymentsTelemetry.Spans.CreateAtProvider, "create", Name, order.Id);
        try
        {
            var session = await _inner.CreateSessionAsync(request, cancellationToken);
            call.Succeeded(PaymentStatus.Pending.ToWire());
            Created(PaymentStatus.Pending);
            return session;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            if (ex is ProviderException)
            {
                Created(PaymentStatus.Failed);
            }

            throw;
        }
    }

    public async Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        PaymentsTelemetry.TagCurrent(order.Id);
        using var call = Call.Start(PaymentsTelemetry.Spans.Confirm, "confirm", Name, order.Id);
        try
        {
            var state = await _inner.ConfirmAsync(order, evidence, cancellationToken);
            call.Succeeded(state.Status?.ToWire());
            return state;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    public Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken) =>
        StateCallAsync(PaymentsTelemetry.Spans.Capture, "capture", order, ct => Port<IPaymentOperations>().CaptureAsync(order, ct), cancellationToken);

    public Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken) =>
        StateCallAsync(PaymentsTelemetry.Spans.Cancel, "cancel", order, ct => Port<IPaymentOperations>().CancelAsync(order, ct), cancellationToken);

    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        PaymentsTelemetry.TagCurrent(order.Id);
        using var call = Call.Start(PaymentsTelemetry.Spans.Refund, "refund", Name, order.Id);
        try
        {
            var result = await Port<IPaymentOperations>().RefundAsync(order, request, cancellationToken);
            call.Succeeded(PaymentsTelemetry.Snake(result.Outcome));
            return result;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        PaymentsTelemetry.TagCurrent(order.Id);
        using var call = Call.Start(PaymentsTelemetry.Spans.FindRefund, "find_refund", Name, order.Id);
        try
        {
            var result = await Port<IPaymentOperations>().FindRefundAsync(order, refund, cancellationToken);
            call.Succeeded(result is null ? "unknown" : PaymentsTelemetry.Snake(result.Outcome));
            return result;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    public bool ChargesAreIdempotent => Port<IChargeOperations>().ChargesAreIdempotent;

    public IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft) => Port<IChargeOperations>().ValidateCharge(order, draft);

    public Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken) =>
        ChargeCallAsync(order, charge, ct => Port<IChargeOperations>().ChargeUpsellAsync(order, charge, ct), cancellationToken);

    public Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken) =>
        ChargeCallAsync(order, charge, ct => Port<IChargeOperations>().ChargeRecurringAsync(order, charge, ct), cancellationToken);

    public WebhookReading ReadWebhook(WebhookRequest request) => Port<IWebhookReceiver>().ReadWebhook(request);

    public bool RedeliversOnFailure => Port<IWebhookReceiver>().RedeliversOnFailure;

    public Task<string?> FindOrderIdAsync(WebhookReading reading, CancellationToken cancellationToken) =>
        Timed("find_order", ct => Port<IWebhookReceiver>().FindOrderIdAsync(reading, ct), cancellationToken);

    public Task<SavedCustomer> CreateCustomerAsync(NewCustomer customer, CancellationToken cancellationToken) =>
        Timed("customer_create", ct => Port<ICustomerVault>().CreateCustomerAsync(customer, ct), cancellationToken);

    public Task<SavedCustomer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        Timed("customer_get", ct => Port<ICustomerVault>().GetCustomerAsync(customerId, ct), cancellationToken);

    public Task<bool> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        Timed("customer_delete", ct => Port<ICustomerVault>().DeleteCustomerAsync(customerId, ct), cancellationToken);

    private void Created(PaymentStatus status) =>
        PaymentsTelemetry.OrdersCreated.Add(1,
            new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Provider, Name),
            new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Status, status.ToWire()));

    private async Task<ProviderPaymentState> StateCallAsync(string span, string operation, Order order,
        Func<CancellationToken, Task<ProviderPaymentState>> run, CancellationToken cancellationToken)
    {
        PaymentsTelemetry.TagCurrent(order.Id);
        using var call = Call.Start(span, operation, Name, order.Id);
        try
        {
            var state = await run(cancellationToken);
            call.Succeeded(state.Status?.ToWire());
            return state;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    private async Task<ProviderChargeResult> ChargeCallAsync(Order order, ChargeRecord charge,
        Func<CancellationToken, Task<ProviderChargeResult>> run, CancellationToken cancellationToken)
    {
        PaymentsTelemetry.TagCurrent(order.Id);
        var kind = PaymentsTelemetry.Snake(charge.Kind);
        using var call = Call.Start(PaymentsTelemetry.Spans.Charge, "charge_" + kind, Name, order.Id);
        call.Activity?.SetTag(PaymentsTelemetry.Tags.ChargeId, charge.ChargeId);
        call.Activity?.SetTag(PaymentsTelemetry.Tags.ChargeKind, kind);
        string outcome;
        try
        {
            var result = await run(cancellationToken);
            outcome = PaymentsTelemetry.Snake(result.Outcome);
            call.Succeeded(outcome);
            Charged(kind, outcome);
            return result;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            Charged(kind, ex is ProviderException { NotSent: true } ? "not_sent" : "error");
            throw;
        }
    }

    private void Charged(string kind, string outcome) =>
        PaymentsTelemetry.Charges.Add(1,
            new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Provider, Name),
            new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.ChargeKind, kind),
            new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Outcome, outcome));

    private async Task<T> Timed<T>(string operation, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        using var call = Call.Start("payments.provider." + operation, operation, Name, orderId: null);
        try
        {
            var result = await run(cancellationToken);
            call.Succeeded(null);
            return result;
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    private TPort Port<TPort>()
        where TPort : class =>
        _inner as TPort ?? throw new NotSupportedException($"Provider '{Name}' does not implement {typeof(TPort).Name}.");

    /// <summary>One provider call: its span (when sampled) and its duration measurement (always, when metrics listen).</summary>
    private sealed class Call : IDisposable
    {
        private readonly string _operation;
        private readonly string _provider;
        private readonly long _started = Stopwatch.GetTimestamp();
        private string _outcome = "error";

        private Call(Activity? activity, string operation, string provider)
        {
            Activity = activity;
            _operation = operation;
            _provider = provider;
        }

        public Activity? Activity { get; }

        public static Call Start(string span, string operation, string provider, string? orderId)
        {
            var activity = PaymentsTelemetry.Source.StartActivity(span, ActivityKind.Internal);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(PaymentsTelemetry.Tags.Provider, provider);
                activity.SetTag(PaymentsTelemetry.Tags.Operation, operation);
                if (orderId is not null)
                {
                    activity.SetTag(PaymentsTelemetry.Tags.OrderId, orderId);
                }
            }

            return new Call(activity, operation, provider);
        }

        public void Succeeded(string? status)
        {
            _outcome = "ok";
            if (status is not null)
            {
                Activity?.SetTag(PaymentsTelemetry.Tags.Status, status);
            }
        }

        public void Failed(Exception ex)
        {
            _outcome = ex switch
            {
                ProviderException p => PaymentsTelemetry.Snake(p.Failure),
                OperationCanceledException => "cancelled",
                _ => "error",
            };
            if (ex is ProviderException { StatusCode: { } code })
            {
                Activity?.SetTag("http.response.status_code", code);
            }

            Activity?.SetTag("error.type", ex is ProviderException failure ? PaymentsTelemetry.Snake(failure.Failure) : ex.GetType().FullName);
            Activity?.SetStatus(ActivityStatusCode.Error, _outcome);
        }

        public void Dispose()
        {
            Activity?.SetTag(PaymentsTelemetry.Tags.Outcome, _outcome);
            PaymentsTelemetry.ProviderCallDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds,
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Provider, _provider),
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Operation, _operation),
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Outcome, _outcome));
            Activity?.Dispose();
        }
    }
}
