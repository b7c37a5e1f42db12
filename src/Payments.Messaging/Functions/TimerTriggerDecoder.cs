using System.Text.Json;

namespace Payments.Messaging.Functions;

/// <summary>What the host says about a timer invocation (its TimerInfo).</summary>
public sealed record TimerInfo(bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next, DateTimeOffset? LastUpdated)
{
    public static readonly TimerInfo None = new(false, null, null, null);
}

/// <summary>
/// Reads <c>Data[bindingName]</c> of a timer invocation:
/// <c>{"Schedule":{…},"ScheduleStatus":{"Last":…,"Next":…,"LastUpdated":…}|null,"IsPastDue":false}</c>.
/// Timers need nothing from it, so a missing or odd value gives <see cref="TimerInfo.None"/>.
/// </summary>
public static class TimerTriggerDecoder
{
    public static TimerInfo Decode(FunctionInvocation invocation, string bindingName)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (!invocation.TryGetData(bindingName, out var data) || EnvelopeValues.AsObject(data) is not { } timer)
        {
            return TimerInfo.None;
        }

        var pastDue = Property(timer, "IsPastDue") is { } p && EnvelopeValues.ReadBoolean(p) == true;
        if (Property(timer, "ScheduleStatus") is not { } s || EnvelopeValues.AsObject(s) is not { } status)
        {
            return new TimerInfo(pastDue, null, null, null);
        }

        return new TimerInfo(
            pastDue,
            Property(status, "Last") is { } last ? EnvelopeValues.ReadDateTime(last) : null,
            Property(status, "Next") is { } next ? EnvelopeValues.ReadDateTime(next) : null,
            Property(status, "LastUpdated") is { } updated ? EnvelopeValues.ReadDateTime(updated) : null);
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
