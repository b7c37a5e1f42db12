namespace Payments.Host.Tests;

/// <summary>A saved customer as <c>/api/customers</c> answers it, with the cards saved for it.</summary>
public sealed record CustomerView(string Provider, string Id, string? FirstName, string? LastName, string? Email, string? ClientPage,
    IReadOnlyList<SavedCardView> Cards, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A card saved for a customer.</summary>
public sealed record SavedCardView(string Id, string? Brand, string? Last4, string? Expiry, bool IsDefault);
