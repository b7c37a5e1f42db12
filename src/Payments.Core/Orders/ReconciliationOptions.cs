namespace Payments.Core.Orders;

/// <summary>Reconciliation settings (section <c>Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    /// <summary>
    /// A pending order is asked about once it is this old: TWINT's 15-minute session plus a margin, so a shopper who is
    /// still paying, and the provider's own return and webhook, come first.
    /// </summary>
    public TimeSpan PendingAfter { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// A pending order the provider still has not decided on this long after its session ended (<c>expiresAt</c>) is
    /// moved to <c>expired</c>. Long enough for the provider's late webhooks (a payment taken after this needs a human).
    /// </summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Orders looked at per run (oldest first); the rest wait for the next run.</summary>
    public int MaxOrdersPerRun { get; set; } = 100;

    /// <summary>Session length assumed for an order without <c>expiresAt</c> (its session was never opened).</summary>
    public TimeSpan DefaultSessionLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
