namespace Payments.Host.Tests;

/// <summary>A change that makes a request bad (poison), or that any request may carry (noise).</summary>
public sealed record Mutation(string Why, Func<Draft, Draft> Apply);
