using Payments.Core.Providers;

namespace Payments.Providers.NeuroPay;

/// <summary>
/// Reads what comes back from Neuro-Pay outside our API calls: only the shopper's return to <c>returnUrl</c> or
/// <c>returnUrlCancel</c> (Neuro-Pay documents no webhook). Pure parsing, no I/O, never throws; nothing read here decides
/// a status: it only says which checkout to read, if the return names one.
/// </summary>
public static class NeuroPayCallbacks
{
    /// <summary>
    /// Reads the shopper's return: the cancel URL claims Cancelled, anything else claims nothing (Neuro-Pay's return
    /// says nothing about the outcome). A checkout id in the query (or form) is picked up if it looks like one.
    /// </summary>
    public static ReturnEvidence ReadReturn(ReturnRequest request)
    {
        string? id = null;
        foreach (var field in NeuroPayProvider.ReturnIdFields)
        {
            if ((request.Query.TryGetValue(field, out var value) || request.Form.TryGetValue(field, out value)) && NeuroPayIds.IsValid(value))
            {
                id = value;
                break;
            }
        }

        return new ReturnEvidence(id, request.Cancelled ? ClaimedOutcome.Cancelled : ClaimedOutcome.Unknown);
    }
}
