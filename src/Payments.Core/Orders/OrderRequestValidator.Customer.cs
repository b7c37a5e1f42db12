using System.Text.RegularExpressions;
using Payments.Core.Validation;

namespace Payments.Core.Orders;

/// <summary>The rules of the customer: e-mail, names, phone and address.</summary>
public static partial class OrderRequestValidator
{
    /// <summary>A plausible e-mail address of at most 254 characters (no control characters or spaces).</summary>
    public static bool IsEmail(string email) => email.Length <= 254 && Email().IsMatch(email);

    private static Customer? ValidateCustomer(CustomerRequest? c, Action<string, string, IssueKind> bad)
    {
        if (c is null)
        {
            return null;
        }

        void Text(string field, string? value, int max)
        {
            if (CheckText(value, max, required: false) is { } e)
            {
                bad($"customer.{field}", e, IssueKind.Invalid);
            }
        }

        if (c.Email is not null && !IsEmail(c.Email))
        {
            bad("customer.email", "must be an e-mail address", IssueKind.Invalid);
        }

        Text("firstName", c.FirstName, 100);
        Text("lastName", c.LastName, 100);
        if (c.Phone is not null && !Phone().IsMatch(c.Phone))
        {
            bad("customer.phone", "must be a phone number: digits, spaces, '+', '-', '(', ')', at most 20 characters", IssueKind.Invalid);
        }

        Address? address = null;
        if (c.Address is { } a)
        {
            Text("address.line1", a.Line1, MaxTextLength);
            Text("address.line2", a.Line2, MaxTextLength);
            Text("address.city", a.City, 100);
            Text("address.postalCode", a.PostalCode, 20);
            Text("address.state", a.State, 100);
            if (a.Country is not null && !CountryCode().IsMatch(a.Country))
            {
                bad("customer.address.country", "must be an ISO 3166-1 alpha-2 code in upper case, such as \"CH\"", IssueKind.Invalid);
            }

            address = new Address(a.Line1, a.Line2, a.City, a.PostalCode, a.State, a.Country);
        }

        return new Customer(c.Email, c.FirstName, c.LastName, c.Phone, address);
    }

    [GeneratedRegex(@"^[^@\s\p{Cc}]{1,64}@[^@\s\p{Cc}]+\.[^@\s\p{Cc}]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^\+?[0-9 ()\-]{3,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();

    [GeneratedRegex(@"^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryCode();
}
