namespace Payments.Host.Api;

/// <summary>The problem types (<c>urn:payments:problem:…</c> slugs) an endpoint answers with one status.</summary>
public sealed record ProblemTypesMetadata(int StatusCode, IReadOnlyList<string> Types);

/// <summary>The JSON body an endpoint reads itself (it is read strictly by <see cref="JsonRequest"/>, not bound).</summary>
public sealed record JsonBodyMetadata(Type BodyType, bool Required);

/// <summary>The endpoint honours an optional <c>Idempotency-Key</c> header.</summary>
public sealed record IdempotencyKeyMetadata;

/// <summary>The endpoint needs the API key (standalone: <c>X-Api-Key</c>; in Azure: a function key).</summary>
public sealed record ApiKeyRequiredMetadata;
