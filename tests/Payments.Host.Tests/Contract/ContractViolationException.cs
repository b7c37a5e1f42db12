namespace Payments.Host.Tests.Contract;

/// <summary>A response of the running app that the committed OpenAPI document does not allow.</summary>
public sealed class ContractViolationException(string message) : Exception(message);
