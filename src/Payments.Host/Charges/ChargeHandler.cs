using System.Text.Json;
using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Telemetry;
using Payments.Messaging;

namespace Payments.Host.Charges;

/// <summary>
/// The <c>RunCharge</c> function (queue <c>payment-charges</c>): runs one delivery of a charge message through
/// <see cref="ChargeService.RunAsync"/>. Success when the charge is settled (now or earlier: redeliveries are no-ops);
/// failure when nothing was charged and it may be tried again (the broker redelivers, then dead-letters), or when the
/// message names no charge we know.
/// </summary>
public sealed class ChargeHandler(ChargeService charges, ILogger<ChargeHandler> logger) : IMessageHandler
{
    public const string FunctionName = "RunCharge";

    public async Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (!message.TryReadBody<ChargeMessage>(logger, "a charge message", out var body))
        {
            return HandlerResult.Failure("the body is not a charge message (dead-letter it for inspection)");
        }

        if (body is null || !PaymentService.IsOrderId(body.OrderId) || !ChargeRules.IsChargeId(body.ChargeId))
        {
            return HandlerResult.Failure("the body does not name an order and a charge (dead-letter it for inspection)");
        }

        using var activity = PaymentsTelemetry.Source.StartActivity(PaymentsTelemetry.Spans.ChargeRun);
        activity?.SetTag(PaymentsTelemetry.Tags.OrderId, body.OrderId);
        activity?.SetTag(PaymentsTelemetry.Tags.ChargeId, body.ChargeId);
        var result = await charges.RunAsync(body.OrderId, body.ChargeId, cancellationToken);
        activity?.SetTag(PaymentsTelemetry.Tags.Result, result.GetType().Name.ToLowerInvariant());
        return result switch
        {
            ChargeRunResult.Done => HandlerResult.Success(),
            ChargeRunResult.Retry retry => HandlerResult.Failure($"charge {body.ChargeId} not charged, try again: {retry.Reason}"),
            ChargeRunResult.Unknown unknown => HandlerResult.Failure($"{unknown.Reason} (dead-letter it for inspection)"),
            _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}"),
        };
    }
}
