namespace Payments.Core.Providers;

/// <summary>Saved customers and their cards at a provider (Neuro-Pay), for one-click and recurring payments.</summary>
public interface ICustomerVault
{
    Task<SavedCustomer> CreateCustomerAsync(NewCustomer customer, CancellationToken cancellationToken);

    /// <summary>The customer, or null when the provider does not know the id.</summary>
    Task<SavedCustomer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>True when deleted, false when the provider did not know the id.</summary>
    Task<bool> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken);
}

public sealed record NewCustomer(string? FirstName, string? LastName, string? Email, IReadOnlyDictionary<string, string> Metadata);

/// <param name="ClientPage">Where the shopper manages saved cards, if the provider has such a page.</param>
public sealed record SavedCustomer(
    string Id,
    string? FirstName,
    string? LastName,
    string? Email,
    string? ClientPage,
    IReadOnlyList<SavedCard> Cards,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record SavedCard(string Id, string? Brand, string? Last4, string? Expiry, bool IsDefault);
