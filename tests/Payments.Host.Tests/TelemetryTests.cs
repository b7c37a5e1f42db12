using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Payments.Core.Telemetry;
using Payments.Host.Telemetry;

namespace Payments.Host.Tests;

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite)
{
    private const string NextAccessToken = "tel-next-access-token-5f2b9c1e7a";
    private const string NextWebhookSecret = "tel-next-webhook-secret-8d4e0a6f3b";
    private const string Email = "tel.shopper.4711@example.ch";
    private const string Phone = "+41791234567";

    /// <summary>The storefront's side of the payment: its requests carry this span's context, as a traced storefront's would.</summary>
    private static readonly ActivitySource Storefront = new("Payments.Tests.Storefront");

    [Fact]
    public async Task One_payment_is_one_trace_with_its_metrics_and_no_secret_or_shopper_datum_in_any_exported_item()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var capture = new Capture();
        var settings = receiver.Settings();
        settings["Providers:Next:AccessToken"] = NextAccessToken;
        settings["Providers:Next:WebhookSecret"] = NextWebhookSecret;
        settings["Logging:LogLevel:Default"] = "Information";
        await using var app = await TestApp.StartAsync(azurite, settings, s => s.AddSingleton<IPaymentsTelemetryExporter>(capture));

        string orderId;
        ActivityTraceId traceId;
        using (var checkout = Storefront.StartActivity("storefront.checkout", ActivityKind.Client))
        {
            Assert.NotNull(checkout);
            traceId = checkout.TraceId;
            var body = OrderBodies.Next("SO-TEL-1");
            body["customer"]!["email"] = Email;
            body["customer"]!["phone"] = Phone;
            var created = await app.Api.CreateOrderAsync(body);
            orderId = created.OrderId;
            var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);
            Assert.Contains("status=succeeded", back.Headers.Location!.Query, StringComparison.Ordinal);

            using var upsell = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/upsells")
            {
                Content = JsonContent.Create(new JsonObject
                {
                    ["items"] = new JsonArray(new JsonObject { ["name"] = "Socks", ["sku"] = "202", ["quantity"] = 1, ["unitPrice"] = "9.90", ["type"] = "goods" }),
                }),
            };
            upsell.Headers.TryAddWithoutValidation("Idempotency-Key", "tel-upsell-1");
            Assert.Equal(HttpStatusCode.Accepted, (await app.Client.SendAsync(upsell)).StatusCode);
        }

        // Outside the storefront's span: what runs from the bus joins the trace only through the messages' context.
        Assert.Null(Activity.Current);
        await app.DrainBusAsync();
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", Assert.Single(order.Charges).Status);
        Assert.Equal(2, receiver.Deliveries.Count);
        app.Service<TracerProvider>().ForceFlush();
        app.Service<MeterProvider>().ForceFlush();
        app.Service<LoggerProvider>().ForceFlush();

        // Spans: every step, all in the storefront's trace.
        var spans = capture.Spans.ToList();
        var ours = spans.Where(s => s.Source.Name == PaymentsTelemetry.Name).ToList();
        foreach (var name in new[]
                 {
                     PaymentsTelemetry.Spans.CreateAtProvider, PaymentsTelemetry.Spans.Confirm, PaymentsTelemetry.Spans.Settle,
                     PaymentsTelemetry.Spans.OutboxPublish, PaymentsTelemetry.Spans.Send, PaymentsTelemetry.Spans.Process,
                     PaymentsTelemetry.Spans.WebhookDelivery, PaymentsTelemetry.Spans.ChargeRun, PaymentsTelemetry.Spans.Charge,
                 })
        {
            var named = ours.Where(s => s.OperationName == name).ToList();
            Assert.True(named.Count > 0, $"no {name} span; spans: {string.Join(", ", ours.Select(s => s.OperationName).Distinct())}");
            Assert.All(named, s => Assert.Equal(traceId, s.TraceId));
        }

        Assert.All(ours.Where(s => s.GetTagItem(PaymentsTelemetry.Tags.OrderId) is string), s => Assert.Equal(orderId, s.GetTagItem(PaymentsTelemetry.Tags.OrderId)));
        var create = Assert.Single(ours, s => s.OperationName == PaymentsTelemetry.Spans.CreateAtProvider);
        Assert.Equal(("next", "pending", "ok"), ((string?)create.GetTagItem(PaymentsTelemetry.Tags.Provider), (string?)create.GetTagItem(PaymentsTelemetry.Tags.Status),
            (string?)create.GetTagItem(PaymentsTelemetry.Tags.Outcome)));
        var settle = Assert.Single(ours, s => s.OperationName == PaymentsTelemetry.Spans.Settle);
        Assert.Equal(("succeeded", "return"), ((string?)settle.GetTagItem(PaymentsTelemetry.Tags.Status), (string?)settle.GetTagItem(PaymentsTelemetry.Tags.Source)));

        // Each message handled continues the span that sent it (not just "some span of the trace").
        var sends = ours.Where(s => s.OperationName == PaymentsTelemetry.Spans.Send).ToDictionary(s => s.SpanId);
        var processed = ours.Where(s => s.OperationName == PaymentsTelemetry.Spans.Process).ToList();
        Assert.Equal(5, processed.Count); // fan-out of the two events (status change, charge), their two deliveries, the charge
        Assert.All(processed, p => Assert.True(sends.ContainsKey(p.ParentSpanId), $"{p.DisplayName} is not a child of a send span"));
        Assert.Equal(2, processed.Count(p => p.DisplayName.Contains("payment-events", StringComparison.Ordinal)));
        Assert.Single(processed, p => p.DisplayName.Contains("payment-charges", StringComparison.Ordinal));

        // The Azure SDK's own spans (Table Storage) are in it too.
        Assert.Contains(spans, s => s.Source.Name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal) && s.TraceId == traceId);

        // The HTTP side: our requests, the provider calls and the storefront deliveries, all in the trace.
        Assert.Contains(spans, s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == traceId && ((string?)s.GetTagItem("http.route"))?.TrimEnd('/') == "/api/orders");
        var returnSpan = Assert.Single(spans, s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == traceId
            && ((string?)s.GetTagItem("http.route"))?.StartsWith("/api/return/", StringComparison.Ordinal) == true);
        Assert.Equal(traceId, returnSpan.TraceId);
        Assert.Equal(orderId, returnSpan.GetTagItem(PaymentsTelemetry.Tags.OrderId));
        Assert.EndsWith("/" + RequestTelemetry.RedactedSegment, (string?)returnSpan.GetTagItem("url.path"), StringComparison.Ordinal);
        Assert.All(receiver.Deliveries, d =>
        {
            Assert.NotNull(d.TraceParent);
            Assert.True(ActivityContext.TryParse(d.TraceParent, null, out var context), d.TraceParent);
            Assert.Equal(traceId, context.TraceId);
        });

        // Metrics: exactly what this payment did.
        var metrics = capture.LatestMetrics();
        Assert.Equal(1, Sum(metrics, "payments.orders.created", ("payments.provider", "next"), ("payments.status", "pending")));
        Assert.Equal(1, Sum(metrics, "payments.orders.created"));
        Assert.Equal(1, Sum(metrics, "payments.orders.settled", ("payments.provider", "next"), ("payments.status", "succeeded"), ("payments.source", "return")));
        Assert.Equal(1, Sum(metrics, "payments.orders.settled"));
        Assert.Equal(2, Sum(metrics, "payments.webhook.deliveries", ("payments.outcome", "delivered"), ("payments.attempt", 1)));
        Assert.Equal(2, Sum(metrics, "payments.webhook.deliveries"));
        Assert.Equal(1, Sum(metrics, "payments.charges", ("payments.charge_kind", "upsell"), ("payments.outcome", "succeeded"), ("payments.provider", "next")));
        Assert.Equal(1, Sum(metrics, "payments.charges"));
        Assert.Equal(2, Sum(metrics, "payments.outbox.published", ("payments.path", "commit")));
        Assert.Equal(2, Count(metrics, "payments.outbox.lag"));
        Assert.Equal(1, Count(metrics, "payments.provider.call.duration", ("payments.provider", "next"), ("payments.operation", "create"), ("payments.outcome", "ok")));
        Assert.Equal(1, Count(metrics, "payments.provider.call.duration", ("payments.operation", "charge_upsell"), ("payments.outcome", "ok")));
        Assert.True(Count(metrics, "payments.provider.call.duration", ("payments.operation", "confirm"), ("payments.outcome", "ok")) >= 1);
        Assert.Equal(0, Sum(metrics, "payments.provider_reference.conflicts"));
        Assert.Equal(0, Sum(metrics, "payments.reconciliation.orders"));

        // Logs: through the same pipeline, the payment's lines carry its order id.
        var logs = capture.Logs.ToList();
        Assert.Contains(logs, l => l.OrderId == orderId && l.Text.Contains("Webhook", StringComparison.Ordinal));
        Assert.True(logs.Count(l => l.OrderId == orderId) >= 2, string.Join("\n", logs.Select(l => l.Text)));

        // Nothing exported holds a secret or a shopper datum.
        var secrets = new Dictionary<string, string>
        {
            ["signing key"] = TestApp.SigningKey,
            ["NEXT access token"] = NextAccessToken,
            ["NEXT webhook secret"] = NextWebhookSecret,
            ["storefront webhook secret"] = receiver.Secret.Serialize(),
            ["storefront webhook key"] = receiver.Secret.Serialize()["whsec_".Length..],
            ["e-mail"] = Email,
            ["phone"] = Phone,
        };
        var exported = spans.Select(Describe).Concat(capture.AllMetrics().Select(Describe)).Concat(logs.Select(l => l.Text)).ToList();
        Assert.True(exported.Count > 50, $"only {exported.Count} exported items");
        Assert.Contains(exported, e => e.Contains(orderId, StringComparison.Ordinal)); // the search sees what is exported
        foreach (var (what, value) in secrets)
        {
            var leak = exported.FirstOrDefault(e => e.Contains(value, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"the {what} is in exported telemetry: {leak}");
        }
    }

    private static long Sum(IReadOnlyDictionary<string, MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetSumLong());

    private static long Count(IReadOnlyDictionary<string, MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetHistogramCount());

    private static IEnumerable<MetricPoint> Points(IReadOnlyDictionary<string, MetricSnapshot> metrics, string name, (string Key, object Value)[] tags)
    {
        if (!metrics.TryGetValue(name, out var metric))
        {
            return [];
        }

        return metric.MetricPoints.Where(p =>
        {
            var have = new Dictionary<string, object?>();
            foreach (var tag in p.Tags)
            {
                have[tag.Key] = tag.Value;
            }

            return tags.All(t => have.TryGetValue(t.Key, out var v) && Equals(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    private static string Describe(Activity span)
    {
        var text = new StringBuilder().Append(span.Source.Name).Append(' ').Append(span.OperationName).Append(' ').Append(span.DisplayName)
            .Append(' ').Append(span.StatusDescription);
        foreach (var tag in span.TagObjects)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        foreach (var e in span.Events)
        {
            text.Append(" event ").Append(e.Name);
            foreach (var tag in e.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }
        }

        foreach (var link in span.Links)
        {
            foreach (var tag in link.Tags ?? [])
            {
                text.Append(" link ").Append(tag.Key).Append('=').Append(tag.Value);
            }
        }

        foreach (var (key, value) in span.Baggage)
        {
            text.Append(" baggage ").Append(key).Append('=').Append(value);
        }

        return text.ToString();
    }

    private static string Describe(MetricSnapshot metric)
    {
        var text = new StringBuilder().Append(metric.MeterName).Append(' ').Append(metric.Name).Append(' ').Append(metric.Description);
        foreach (var point in metric.MetricPoints)
        {
            foreach (var tag in point.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }
        }

        return text.ToString();
    }

    /// <summary>A log line as exported: its text is everything it carries (category, body, message, attributes, exception).</summary>
    private sealed record ExportedLog(string? OrderId, string Text);

    /// <summary>The in-memory exporters, added to the app's pipeline after its own processors.</summary>
    private sealed class Capture : IPaymentsTelemetryExporter
    {
        private readonly List<MetricSnapshot> _metrics = [];

        public List<Activity> Spans { get; } = [];

        public System.Collections.Concurrent.ConcurrentQueue<ExportedLog> Logs { get; } = new();

        public void Configure(OpenTelemetryBuilder builder) => builder
            .WithTracing(t => t.AddSource(Storefront.Name).AddInMemoryExporter(Spans))
            .WithMetrics(m => m.AddInMemoryExporter(_metrics))
            .WithLogging(l => l.AddProcessor(new SimpleLogRecordExportProcessor(new LogSnapshotExporter(Logs))));

        public IReadOnlyList<MetricSnapshot> AllMetrics()
        {
            lock (_metrics)
            {
                return [.. _metrics];
            }
        }

        /// <summary>The last export of each metric (cumulative: everything since the app started).</summary>
        public Dictionary<string, MetricSnapshot> LatestMetrics()
        {
            var latest = new Dictionary<string, MetricSnapshot>(StringComparer.Ordinal);
            foreach (var metric in AllMetrics())
            {
                latest[metric.Name] = metric;
            }

            return latest;
        }
    }

    /// <summary>Copies each log record into text as it is exported (the SDK reuses its records).</summary>
    private sealed class LogSnapshotExporter(System.Collections.Concurrent.ConcurrentQueue<ExportedLog> logs) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                string? orderId = null;
                var text = new StringBuilder().Append(record.CategoryName).Append(' ').Append(record.Body).Append(' ').Append(record.FormattedMessage);
                foreach (var attribute in record.Attributes ?? [])
                {
                    text.Append(' ').Append(attribute.Key).Append('=').Append(attribute.Value);
                    if (attribute.Key == PaymentsTelemetry.Tags.OrderId)
                    {
                        orderId = attribute.Value as string;
                    }
                }

                record.ForEachScope((scope, sb) =>
                {
                    foreach (var item in scope)
                    {
                        sb.Append(" scope ").Append(item.Key).Append('=').Append(item.Value);
                    }
                }, text);
                if (record.Exception is { } exception)
                {
                    text.Append(' ').Append(exception);
                }

                logs.Enqueue(new ExportedLog(orderId, text.ToString()));
            }

            return ExportResult.Success;
        }
    }
}
