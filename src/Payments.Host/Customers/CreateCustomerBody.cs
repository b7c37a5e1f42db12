namespace Payments.Host.Customers;

/// <summary>The body of <c>POST /api/customers</c>.</summary>
public sealed record CreateCustomerBody
{
    public string? Provider { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Email { get; init; }
    public IReadOnlyDictionary<string, string?>? Metadata { get; init; }
}
