namespace Payments.Host.Tests;

/// <summary>The body limits, as the tests need them.</summary>
internal static class RequestBodyLimits
{
    public const int Callback = Api.RequestBody.MaxCallbackBodyBytes;
}
