using Payments.Core.Providers;

namespace Payments.Host.Customers;

/// <summary>A saved customer as the customer endpoints answer it.</summary>
public sealed record CustomerView(string Provider, string Id, string? FirstName, string? LastName, string? Email, string? ClientPage,
    IReadOnlyList<SavedCard> Cards, IReadOnlyDictionary<string, string> Metadata)
{
    public static CustomerView From(string provider, SavedCustomer c) =>
        new(provider, c.Id, c.FirstName, c.LastName, c.Email, c.ClientPage, c.Cards, c.Metadata);
}
