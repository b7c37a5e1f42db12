using System.Collections;

namespace Payments.Storage.Tables;

/// <summary>
/// A table entity: its keys, the version it was read at, and typed properties. Supported property types
/// are <see cref="string"/>, <see cref="bool"/>, <see cref="int"/> (Edm.Int32), <see cref="long"/>
/// (Edm.Int64), <see cref="double"/> (Edm.Double), <see cref="DateTimeOffset"/> (Edm.DateTime, stored as
/// UTC), <see cref="Guid"/> (Edm.Guid) and <c>byte[]</c> (Edm.Binary). A null value removes the property
/// (Table Storage does not store nulls).
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "PartitionKey", "RowKey", "Timestamp", "ETag" };

    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; set; }

    public string RowKey { get; set; }

    /// <summary>
    /// The version as the service returned it, kept byte for byte (e.g.
    /// <c>W/"datetime'2024-05-01T10%3A00%3A00.1234567Z'"</c>): pass it back unchanged in If-Match.
    /// </summary>
    public string? ETag { get; set; }

    /// <summary>The service's last-modified time; set on entities read from the service, ignored on writes.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>The custom properties, by name.</summary>
    public IReadOnlyDictionary<string, object> Properties => _properties;

    public int Count => _properties.Count;

    /// <summary>Gets a property (null when absent) or sets one (null removes it).</summary>
    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set
        {
            ValidateName(name);
            if (value is null)
            {
                _properties.Remove(name);
            }
            else
            {
                _properties[name] = Normalize(value, name);
            }
        }
    }

    /// <summary>Adds a property (collection-initializer friendly); null values are skipped.</summary>
    public void Add(string name, object? value) => this[name] = value;

    public bool ContainsKey(string name) => _properties.ContainsKey(name);

    public bool Remove(string name) => _properties.Remove(name);

    public string? GetString(string name) => Get<string>(name);

    public bool? GetBoolean(string name) => _properties.TryGetValue(name, out var v) ? (bool)Coerce(v, typeof(bool), name) : null;

    public int? GetInt32(string name) => _properties.TryGetValue(name, out var v) ? (int)Coerce(v, typeof(int), name) : null;

    /// <summary>An Edm.Int64 (or an Edm.Int32, widened).</summary>
    public long? GetInt64(string name) => _properties.TryGetValue(name, out var v) ? (long)Coerce(v, typeof(long), name) : null;

    /// <summary>An Edm.Double (or an integer, widened).</summary>
    public double? GetDouble(string name) => _properties.TryGetValue(name, out var v) ? (double)Coerce(v, typeof(double), name) : null;

    public DateTimeOffset? GetDateTimeOffset(string name) =>
        _properties.TryGetValue(name, out var v) ? (DateTimeOffset)Coerce(v, typeof(DateTimeOffset), name) : null;

    public Guid? GetGuid(string name) => _properties.TryGetValue(name, out var v) ? (Guid)Coerce(v, typeof(Guid), name) : null;

    public byte[]? GetBinary(string name) => Get<byte[]>(name);

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy with the same keys, ETag and properties (byte arrays are shared).</summary>
    public TableEntity Clone()
    {
        var copy = new TableEntity(PartitionKey, RowKey) { ETag = ETag, Timestamp = Timestamp };
        foreach (var (k, v) in _properties)
        {
            copy._properties[k] = v;
        }

        return copy;
    }

    internal void SetRaw(string name, object value) => _properties[name] = value;

    private T? Get<T>(string name)
        where T : class
    {
        if (!_properties.TryGetValue(name, out var v))
        {
            return null;
        }

        return v as T ?? throw new InvalidCastException($"Property '{name}' is {v.GetType().Name}, not {typeof(T).Name}.");
    }

    private static object Coerce(object value, Type target, string name) => (value, target) switch
    {
        (bool b, _) when target == typeof(bool) => b,
        (int i, _) when target == typeof(int) => i,
        (long l, _) when target == typeof(int) && l is >= int.MinValue and <= int.MaxValue => (int)l,
        (int i, _) when target == typeof(long) => (long)i,
        (long l, _) when target == typeof(long) => l,
        (double d, _) when target == typeof(double) => d,
        (int i, _) when target == typeof(double) => (double)i,
        (long l, _) when target == typeof(double) => (double)l,
        (DateTimeOffset dto, _) when target == typeof(DateTimeOffset) => dto,
        (Guid g, _) when target == typeof(Guid) => g,
        (string s, _) when target == typeof(Guid) && Guid.TryParse(s, out var g) => g,
        _ => throw new InvalidCastException($"Property '{name}' is {value.GetType().Name}, not {target.Name}."),
    };

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Reserved.Contains(name))
        {
            throw new ArgumentException($"'{name}' is a system property; use the {name} member of TableEntity.", nameof(name));
        }

        if (name.Length > 255 || name.Contains('@', StringComparison.Ordinal) || name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Property name '{name}' is invalid (at most 255 characters, no '@' or '.').", nameof(name));
        }
    }

    private static object Normalize(object value, string name) => value switch
    {
        string or bool or int or long or double or DateTimeOffset or Guid or byte[] => value,
        DateTime dt => new DateTimeOffset(EdmValues.AsUtc(dt)),
        short s => (int)s,
        byte b => (int)b,
        float f => (double)f,
        _ => throw new ArgumentException(
            $"Property '{name}' has unsupported type {value.GetType().Name}; use string, bool, int, long, double, DateTimeOffset, Guid or byte[].",
            nameof(value)),
    };
}
