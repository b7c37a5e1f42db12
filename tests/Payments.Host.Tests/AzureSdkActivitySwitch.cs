namespace Payments.Host.Tests;

/// <summary>
/// The Azure SDK reads its activity-source switch once per process, when its first client is made; the app sets it in
/// <c>AddPaymentsTelemetry</c>, before it makes any, but in this test process other tests' clients come first. Without
/// a listener the switch changes nothing (no activity is created), so setting it for the whole assembly is harmless.
/// </summary>
internal static class AzureSdkActivitySwitch
{
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Enable() => AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
}
