namespace Payments.Host.Tests;

/// <summary>The system clock moved ahead on demand (the app's TimeProvider; storage signing keeps real time).</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
