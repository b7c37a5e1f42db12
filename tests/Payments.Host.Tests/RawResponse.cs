namespace Payments.Host.Tests;

/// <summary>What a raw HTTP/1.1 exchange answered: the status, the Content-Type, and the (de-chunked) body.</summary>
public sealed record RawResponse(int Status, string? ContentType, string Body, string? Location = null);
