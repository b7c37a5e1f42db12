using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Payments.Host.Api;

public sealed class ApiKeyFilter(IOptions<ApiOptions> options) : IEndpointFilter
{
    public const string Header = "X-Api-Key";

    private readonly byte[][] _keys = options.Value.Keys.Where(k => !string.IsNullOrEmpty(k)).Select(Encoding.UTF8.GetBytes).ToArray();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_keys.Length == 0)
        {
            return next(context);
        }

        var presented = Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers[Header].ToString());
        var ok = false;
        foreach (var key in _keys)
        {
            // Compare against every key, so the time taken does not tell which one nearly matched.
            ok |= CryptographicOperations.FixedTimeEquals(presented, key);
        }

        return ok ? next(context) : ValueTask.FromResult<object?>(Problems.Unauthorized());
    }
}
