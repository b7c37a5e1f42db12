using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;
using Payments.Host.Api;

namespace Payments.Host.Customers;

/// <summary>
/// <c>POST /api/customers</c>, <c>GET|DELETE /api/customers/{customerId}</c>: saved customers at providers
/// that keep them (Neuro-Pay). <c>provider</c> (body, or query on GET/DELETE) may be left out when only one
/// registered provider keeps customers.
/// </summary>
public static partial class CustomersApi
{
    public static RouteGroupBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/customers").RequireApiKey();
        group.MapPost("/", CreateAsync).WithName("CreateCustomer").ReadsJson<CreateCustomerBody>().CustomerProblems(notFound: false);
        group.MapGet("/{customerId}", GetAsync).WithName("GetCustomer")
            .ProducesProblems(StatusCodes.Status400BadRequest, "validation-failed").CustomerProblems(notFound: true);
        group.MapDelete("/{customerId}", DeleteAsync).WithName("DeleteCustomer")
            .ProducesProblems(StatusCodes.Status400BadRequest, "validation-failed").CustomerProblems(notFound: true);
        return group;
    }

    private static RouteHandlerBuilder CustomerProblems(this RouteHandlerBuilder builder, bool notFound)
    {
        builder.ProducesProblems(StatusCodes.Status401Unauthorized, "unauthorized");
        if (notFound)
        {
            builder.ProducesProblems(StatusCodes.Status404NotFound, "not-found");
        }

        return builder
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, "unprocessable", "capability-not-supported", "provider-rejected")
            .ProducesProblems(StatusCodes.Status502BadGateway, "provider-unavailable")
            .ProducesProblems(StatusCodes.Status504GatewayTimeout, "provider-timeout");
    }

    public static async Task<Results<Created<CustomerView>, ProblemHttpResult>> CreateAsync(HttpRequest request, ProviderCatalog providers, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonRequest.ReadAsync<CreateCustomerBody>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var issues = new List<ValidationIssue>();
        Text(issues, "firstName", body.FirstName, 100, required: true);
        Text(issues, "lastName", body.LastName, 100, required: true);
        if (body.Email is null || !OrderRequestValidator.IsEmail(body.Email))
        {
            issues.Add(new("email", "must be an e-mail address"));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in body.Metadata ?? new Dictionary<string, string?>())
        {
            if (k.Length is 0 or > 40 || k.Any(char.IsControl) || v is null || v.Length > 500 || v.Any(char.IsControl))
            {
                issues.Add(new($"metadata.{k}", "keys must be 1-40 characters and values strings of at most 500, without control characters"));
            }
            else
            {
                metadata[k] = v;
            }
        }

        if (issues.Count > 0)
        {
            return Problems.Validation(issues);
        }

        if (Vault(providers, body.Provider) is not { } vault)
        {
            return NoVault(providers, body.Provider);
        }

        try
        {
            var created = await vault.Vault.CreateCustomerAsync(new NewCustomer(body.FirstName, body.LastName, body.Email, metadata), cancellationToken);
            return TypedResults.Created($"/api/customers/{created.Id}?provider={vault.Name}", CustomerView.From(vault.Name, created));
        }
        catch (ProviderException ex)
        {
            return Problems.ProviderFailed(ex);
        }
    }

    public static async Task<Results<Ok<CustomerView>, ProblemHttpResult>> GetAsync(string customerId, string? provider, ProviderCatalog providers, CancellationToken cancellationToken)
    {
        if (!CustomerId().IsMatch(customerId))
        {
            return Problems.NotFound("customer");
        }

        if (Vault(providers, provider) is not { } vault)
        {
            return NoVault(providers, provider);
        }

        try
        {
            var customer = await vault.Vault.GetCustomerAsync(customerId, cancellationToken);
            return customer is null ? Problems.NotFound("customer") : TypedResults.Ok(CustomerView.From(vault.Name, customer));
        }
        catch (ProviderException ex)
        {
            return Problems.ProviderFailed(ex);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string customerId, string? provider, ProviderCatalog providers, CancellationToken cancellationToken)
    {
        if (!CustomerId().IsMatch(customerId))
        {
            return Problems.NotFound("customer");
        }

        if (Vault(providers, provider) is not { } vault)
        {
            return NoVault(providers, provider);
        }

        try
        {
            return await vault.Vault.DeleteCustomerAsync(customerId, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("customer");
        }
        catch (ProviderException ex)
        {
            return Problems.ProviderFailed(ex);
        }
    }

    private sealed record NamedVault(string Name, ICustomerVault Vault);

    private static NamedVault? Vault(ProviderCatalog providers, string? name)
    {
        var vaults = providers.All
            .Where(p => p.Capabilities.HasFlag(ProviderCapabilities.Customers) && p is ICustomerVault)
            .Select(p => new NamedVault(p.Name, (ICustomerVault)p))
            .ToList();
        return name is null
            ? (vaults.Count == 1 ? vaults[0] : null)
            : vaults.FirstOrDefault(v => v.Name == name);
    }

    private static ProblemHttpResult NoVault(ProviderCatalog providers, string? name) =>
        name is not null && providers.TryGet(name, out _)
            ? Problems.CapabilityNotSupported(name, ProviderCapabilities.Customers)
            : Problems.Validation([new ValidationIssue("provider", name is null
                ? "is required: name a provider that keeps customers"
                : $"must be a provider that keeps customers, not '{name}'", name is null ? IssueKind.Invalid : IssueKind.Unprocessable)]);

    private static void Text(List<ValidationIssue> issues, string field, string? value, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required || value is not null)
            {
                issues.Add(new(field, "is required"));
            }
        }
        else if (value.Length > max || value.Any(char.IsControl))
        {
            issues.Add(new(field, $"must be at most {max} characters without control characters"));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex CustomerId();
}
