using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Payments.Core.Telemetry;

/// <summary>
/// The names of everything the payments code emits: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// "Payments", their span and instrument names, and the tag names. Only <c>System.Diagnostics</c>: Core, Messaging and
/// the host record through here without depending on OpenTelemetry; the host's <c>AddPaymentsTelemetry</c> listens.
/// With nobody listening (no exporter configured) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and the instruments drop their measurements, so this costs next to nothing.
/// </summary>
/// <remarks>
/// Tags carry identifiers and outcomes only: the order id, the provider name, statuses, counts. Never a secret (signing
/// key, provider credentials, webhook secrets, return tokens) and never shopper data (e-mail, phone, names, addresses):
/// whoever adds a tag must keep it that way, the full-payment telemetry test searches every exported item for them.
/// </remarks>
public static class PaymentsTelemetry
{
    /// <summary>The name of the <see cref="Source"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "Payments";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Span names: one per step of a payment that matters to someone reading a trace.</summary>
    public static class Spans
    {
        public const string CreateAtProvider = "payments.provider.create";
        public const string Confirm = "payments.provider.confirm";
        public const string Capture = "payments.provider.capture";
        public const string Refund = "payments.provider.refund";
        public const string FindRefund = "payments.provider.find_refund";
        public const string Cancel = "payments.provider.cancel";
        public const string Charge = "payments.provider.charge";
        public const string Settle = "payments.settle";
        public const string Commit = "payments.order.commit";
        public const string CommitPublish = "payments.order.publish";
        public const string OutboxPublish = "payments.outbox.publish";
        public const string Send = "payments.message.send";
        public const string Process = "payments.message.process";
        public const string WebhookDelivery = "payments.webhook.deliver";
        public const string ChargeRun = "payments.charge.run";
        public const string Reconcile = "payments.reconcile";
    }

    /// <summary>Tag (attribute) names, on spans, metrics and log records.</summary>
    public static class Tags
    {
        public const string OrderId = "payments.order_id";
        public const string Provider = "payments.provider";
        public const string Status = "payments.status";
        public const string PreviousStatus = "payments.previous_status";
        public const string Source = "payments.source";
        public const string Operation = "payments.operation";
        public const string Outcome = "payments.outcome";
        public const string Attempt = "payments.attempt";
        public const string ChargeId = "payments.charge_id";
        public const string ChargeKind = "payments.charge_kind";
        public const string EventId = "payments.event_id";
        public const string Endpoint = "payments.webhook_endpoint";
        public const string Count = "payments.count";
        public const string Path = "payments.path";
        public const string Result = "payments.result";
        public const string Function = "payments.function";

        // OpenTelemetry messaging conventions, for the Service Bus send and process spans.
        public const string MessagingSystem = "messaging.system";
        public const string MessagingDestination = "messaging.destination.name";
        public const string MessagingMessageId = "messaging.message.id";
        public const string MessagingBatchCount = "messaging.batch.message_count";
    }

    /// <summary>Orders opened at a provider, by provider and the status the create left them in (pending or failed).</summary>
    public static readonly Counter<long> OrdersCreated =
        Meter.CreateCounter<long>("payments.orders.created", "{order}", "Orders opened at a provider, by provider and resulting status.");

    /// <summary>Committed status changes away from pending, by provider, new status and source (return, webhook, reconcile, api).</summary>
    public static readonly Counter<long> OrdersSettled =
        Meter.CreateCounter<long>("payments.orders.settled", "{order}", "Order status changes committed, by provider, resulting status and source.");

    /// <summary>How long one call to a provider's API took (all its HTTP attempts), by provider, operation and outcome.</summary>
    public static readonly Histogram<double> ProviderCallDuration =
        Meter.CreateHistogram<double>("payments.provider.call.duration", "s", "Duration of provider API calls, by provider, operation and outcome.");

    /// <summary>Storefront webhook delivery attempts, by outcome and attempt number.</summary>
    public static readonly Counter<long> WebhookDeliveries =
        Meter.CreateCounter<long>("payments.webhook.deliveries", "{delivery}", "Storefront webhook delivery attempts, by outcome and attempt.");

    /// <summary>Outbox events published, by path (after the commit, or by the sweep).</summary>
    public static readonly Counter<long> OutboxPublished =
        Meter.CreateCounter<long>("payments.outbox.published", "{event}", "Outbox events published to payment-events, by path (commit, sweep).");

    /// <summary>Time from an event's commit to its publication.</summary>
    public static readonly Histogram<double> OutboxLag =
        Meter.CreateHistogram<double>("payments.outbox.lag", "s", "Time from an event's commit to its publication, by path.");

    /// <summary>Follow-up charges at the provider, by kind (upsell, recurring) and outcome.</summary>
    public static readonly Counter<long> Charges =
        Meter.CreateCounter<long>("payments.charges", "{charge}", "Upsell and recurring charges at the provider, by kind and outcome.");

    /// <summary>What reconciliation did with each order it looked at: settled, expired, pending (still), failed, create_resolved.</summary>
    public static readonly Counter<long> Reconciliations =
        Meter.CreateCounter<long>("payments.reconciliation.orders", "{order}", "Orders looked at by reconciliation, by result.");

    /// <summary>A provider reference confirmed for an order that another order holds already.</summary>
    public static readonly Counter<long> ProviderReferenceConflicts =
        Meter.CreateCounter<long>("payments.provider_reference.conflicts", "{conflict}", "Provider references confirmed for one order but held by another, by provider.");

    private static long _outboxBacklog;

    /// <summary>Unsent outbox events the last sweep found (it publishes them, so this is how far behind the commits were).</summary>
    public static readonly ObservableGauge<long> OutboxBacklog =
        Meter.CreateObservableGauge("payments.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog), "{event}",
            "Unsent outbox events found by the last sweep.");

    /// <summary>Records what the last outbox sweep found unsent.</summary>
    public static void RecordOutboxBacklog(long unsent) => Interlocked.Exchange(ref _outboxBacklog, unsent);

    /// <summary>The lower-case wire name of an enum value (PaymentStatus.PartiallyRefunded → partially_refunded), as the API writes it.</summary>
    public static string Snake<TEnum>(TEnum value)
        where TEnum : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>The order id on the current span or the nearest enclosing one in this process, or null.</summary>
    public static string? CurrentOrderId()
    {
        for (var activity = Activity.Current; activity is not null; activity = activity.Parent)
        {
            if (activity.GetTagItem(Tags.OrderId) is string id)
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>Tags the current span (the request or message being handled) with the order id, so its logs carry it too.</summary>
    public static void TagCurrent(string? orderId)
    {
        if (orderId is not null && Activity.Current is { } current && current.GetTagItem(Tags.OrderId) is null)
        {
            current.SetTag(Tags.OrderId, orderId);
        }
    }
}
