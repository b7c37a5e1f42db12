using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Validation;

namespace Payments.Host.Api;

/// <summary>The <c>Idempotency-Key</c> request header of the merchant endpoints that open payments, refunds and charges.</summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    /// <summary>Longest key accepted (it is hashed into a table key, so any character is safe).</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// The key the request sends: null when it sends none (each endpoint has its default), or a <c>400 invalid-header</c>
    /// problem when it sends one that is empty, too long or not usable.
    /// </summary>
    public static (string? Key, ProblemHttpResult? Problem) Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return (null, null);
        }

        var key = values.ToString();
        return KeyRules.Check(key, MaxLength) is { } error ? (null, Problems.InvalidHeader(Header, error)) : (key, null);
    }
}
