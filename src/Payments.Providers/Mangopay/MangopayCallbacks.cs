using System.Globalization;
using Payments.Core.Providers;

namespace Payments.Providers.Mangopay;

/// <summary>
/// Reads what comes back from Mangopay outside our API calls: the shopper's return (<c>ReturnURL?transactionId={PayInId}</c>)
/// and Mangopay's hooks (<c>GET ?EventType=…&amp;RessourceId=…&amp;Date=…</c>, unsigned). Pure parsing, no I/O; nothing
/// here throws on bad input, and nothing read here decides a status: it only says which pay-in to read.
/// </summary>
public static class MangopayCallbacks
{
    /// <summary>
    /// Reads the shopper's return: Mangopay appends <c>?transactionId={PayInId}</c> and nothing about the outcome, so the
    /// claim is always Unknown; a missing or malformed id names nothing. Never throws.
    /// </summary>
    public static ReturnEvidence ReadReturn(ReturnRequest request)
    {
        var claim = request.Cancelled ? ClaimedOutcome.Cancelled : ClaimedOutcome.Unknown;
        var id = Find(request.Query, MangopayProvider.TransactionIdParameter);
        return new ReturnEvidence(MangopayOptions.IsMangopayId(id) ? id : null, claim);
    }

    /// <summary>
    /// Reads a hook: EventType, RessourceId and Date are required and in Mangopay's format (else Malformed); the two
    /// pay-in outcomes are acted on, any other event is acknowledged and ignored.
    /// </summary>
    public static WebhookReading ReadWebhook(WebhookRequest request)
    {
        var eventType = Find(request.Query, MangopayProvider.EventTypeParameter);
        var resourceId = Find(request.Query, MangopayProvider.RessourceIdParameter);
        var date = Find(request.Query, MangopayProvider.DateParameter);
        if (string.IsNullOrEmpty(eventType) || string.IsNullOrEmpty(resourceId) || string.IsNullOrEmpty(date))
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "EventType, RessourceId and Date are required");
        }

        if (!MangopayOptions.IsMangopayId(resourceId) || !long.TryParse(date, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || eventType.Length > 64 || !eventType.All(c => c is (>= 'A' and <= 'Z') or '_'))
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "EventType, RessourceId or Date is not in Mangopay's format");
        }

        var eventId = $"{eventType}:{resourceId}:{date}";
        var claim = eventType switch
        {
            MangopayProvider.PayInSucceededEvent => ClaimedOutcome.Paid,
            MangopayProvider.PayInFailedEvent => ClaimedOutcome.Failed,
            _ => (ClaimedOutcome?)null,
        };
        return claim is { } c
            ? new WebhookReading(WebhookVerdict.Accepted, eventId, resourceId, Evidence: new ReturnEvidence(resourceId, c))
            : new WebhookReading(WebhookVerdict.Ignored, eventId, Detail: $"event type {eventType} is not acted on");
    }

    /// <summary>A query parameter by its exact name, else by the name in any case.</summary>
    private static string? Find(IReadOnlyDictionary<string, string> query, string name)
    {
        if (query.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in query)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
