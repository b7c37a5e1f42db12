namespace Payments.Messaging.Functions;

/// <summary>
/// The Functions host's invocation request could not be understood (not JSON, not an object, no value for the
/// trigger's binding, a binary body that is not base64). The trigger endpoints answer 400 with a JSON body.
/// </summary>
public sealed class InvocationEnvelopeException : Exception
{
    public InvocationEnvelopeException()
    {
    }

    public InvocationEnvelopeException(string message)
        : base(message)
    {
    }

    public InvocationEnvelopeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
