namespace Payments.Sandbox.NeuroPay;

/// <summary>Customers: create, retrieve and delete; and the sandbox-only saving of a card.</summary>
public static partial class NeuroPaySandbox
{
    private static async Task<IResult> CreateCustomerAsync(HttpContext http, NeuroPaySandboxState state, string prefix, CancellationToken cancellationToken)
    {
        var (owner, body, refused) = await ReadApiCallAsync(http, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var missing = CustomerFields.Where(f => Text(body!, f) is not { Length: > 0 and <= 255 }).ToList();
        if (missing.Count > 0)
        {
            return Error(new("invalid_request", $"{string.Join(", ", missing)}: required, text of at most 255 characters."));
        }

        if (!Email().IsMatch(Text(body!, "email")!))
        {
            return Error(new("invalid_request", "email is not a valid e-mail address."));
        }

        if (ReadMetaData(body!["metaData"]) is not { } meta)
        {
            return Error(new("invalid_request", "metaData must be an object (or an array of key/value pairs)."));
        }

        var customer = state.AddCustomer(new NeuroPaySandboxCustomer(NeuroPaySandboxState.NewId(), owner!,
            Text(body!, "first_name")!, Text(body!, "last_name")!, Text(body!, "email")!, meta, state.Timestamp()));
        return Json(customer.ToJson(ClientPageUrl(http, prefix, customer.Id)), StatusCodes.Status200OK);
    }

    private static async Task<IResult> OnCustomerAsync(HttpContext http, NeuroPaySandboxState state, string prefix, bool delete, CancellationToken cancellationToken)
    {
        var (owner, body, refused) = await ReadApiCallAsync(http, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (Text(body!, "customer_id") is not { Length: > 0 } id)
        {
            return Error(new("invalid_request", "customer_id is required."));
        }

        if (state.FindCustomer(owner!, id) is not { } customer || (delete && !state.RemoveCustomer(customer)))
        {
            return Error(new("not_found", "Customer not found.", StatusCodes.Status404NotFound));
        }

        return Json(customer.ToJson(ClientPageUrl(http, prefix, customer.Id)), StatusCodes.Status200OK);
    }

    private static async Task<IResult> AddCardAsync(HttpContext http, string customerId, NeuroPaySandboxState state, string prefix, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (state.FindCustomer(customerId) is not { } customer)
        {
            return Error(new("not_found", "Customer not found.", StatusCodes.Status404NotFound));
        }

        var last4 = Text(body!, "last4") ?? "4242";
        var expiry = Text(body!, "expiry") ?? "12/30";
        if (!Last4().IsMatch(last4) || !Expiry().IsMatch(expiry))
        {
            return Error(new("invalid_request", "last4 must be 4 digits and expiry MM/YY."));
        }

        customer.AddCard(Text(body!, "brand") ?? "visa", last4, expiry);
        return Json(customer.ToJson(ClientPageUrl(http, prefix, customer.Id)), StatusCodes.Status200OK);
    }
}
