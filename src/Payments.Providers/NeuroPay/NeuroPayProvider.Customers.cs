using Payments.Core.Providers;

namespace Payments.Providers.NeuroPay;

/// <summary>Saved customers (and their cards) through Neuro-Pay's customer endpoints.</summary>
public sealed partial class NeuroPayProvider : ICustomerVault
{
    public async Task<SavedCustomer> CreateCustomerAsync(NewCustomer customer, CancellationToken cancellationToken)
    {
        var created = await client.CreateCustomerAsync(new NeuroPayCreateCustomerRequest
        {
            FirstName = customer.FirstName,
            LastName = customer.LastName,
            Email = customer.Email,
            MetaData = customer.Metadata.Count == 0 ? null : customer.Metadata,
        }, cancellationToken);
        return ToSavedCustomer(created);
    }

    public async Task<SavedCustomer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        if (!NeuroPayIds.IsValid(customerId))
        {
            return null;
        }

        try
        {
            return ToSavedCustomer(await client.RetrieveCustomerAsync(customerId, cancellationToken));
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        if (!NeuroPayIds.IsValid(customerId))
        {
            return false;
        }

        try
        {
            await client.DeleteCustomerAsync(customerId, cancellationToken);
            return true;
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure == ProviderFailure.NotFound)
        {
            return false;
        }
    }

    private static SavedCustomer ToSavedCustomer(NeuroPayCustomer c) => new(
        c.CustomerId, c.FirstName, c.LastName, c.Email, c.ClientPage,
        c.SavedCards.Select(card => new SavedCard(card.CardId, card.Brand, card.Last4, card.Expiry, card.IsDefault)).ToList(),
        c.MetaData);
}
