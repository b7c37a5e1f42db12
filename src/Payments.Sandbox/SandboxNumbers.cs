namespace Payments.Sandbox;

/// <summary>
/// Numeric ids for the simulators that never repeat, neither within this process nor after a restart of the app against
/// the same tables (the simulators keep their state in memory, but the app's reference lookups are durable: a NEXT order
/// number handed out again after a restart would be linked to an older order already). Each id is the wall clock in
/// microseconds since the Unix epoch, or one more than the last id when that is later; so ids keep increasing and a
/// restarted process starts above everything the previous one gave out (unless the clock was set back meanwhile).
/// </summary>
/// <remarks>
/// The wall clock on purpose, not the simulator's <see cref="TimeProvider"/>: a test's fake clock reads the same after a
/// restart. One sequence for the whole process, so two simulator instances (two test apps) never share an id either.
/// 16 digits today, below 2^53, so they survive a JavaScript number too.
/// </remarks>
internal static class SandboxNumbers
{
    private static long s_last;

    public static long Next()
    {
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            var next = Math.Max(last + 1, (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10);
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
            {
                return next;
            }
        }
    }
}
