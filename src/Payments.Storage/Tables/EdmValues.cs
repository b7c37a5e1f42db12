using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Payments.Storage.Tables;

/// <summary>
/// Reads and writes entities in the Table service's JSON format (OData v3 "minimalmetadata"): values the
/// JSON type cannot tell apart carry an annotation <c>"Name@odata.type": "Edm.Int64"</c>.
/// </summary>
internal static class EdmValues
{
    private const string TypeSuffix = "@odata.type";

    public static DateTime AsUtc(DateTime dt) => dt.Kind switch
    {
        DateTimeKind.Utc => dt,
        DateTimeKind.Local => dt.ToUniversalTime(),
        _ => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
    };

    /// <summary>ISO 8601 UTC with 7 fraction digits, the service's own precision.</summary>
    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseDateTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>The JSON body of an insert/update: keys plus every property, annotated where needed.</summary>
    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, entity);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        writer.WriteString("PartitionKey", entity.PartitionKey);
        writer.WriteString("RowKey", entity.RowKey);
        foreach (var (name, value) in entity.Properties)
        {
            switch (value)
            {
                case string s:
                    writer.WriteString(name, s);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    // Edm.Int64 travels as a string: JSON numbers lose precision beyond 2^53 in many parsers.
                    writer.WriteString(name + TypeSuffix, "Edm.Int64");
                    writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    writer.WriteString(name + TypeSuffix, "Edm.Double");
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumber(name, d);
                    }
                    else
                    {
                        writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                    }

                    break;
                case DateTimeOffset dto:
                    writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                    writer.WriteString(name, FormatDateTime(dto));
                    break;
                case Guid g:
                    writer.WriteString(name + TypeSuffix, "Edm.Guid");
                    writer.WriteString(name, g.ToString("D"));
                    break;
                case byte[] bytes:
                    writer.WriteString(name + TypeSuffix, "Edm.Binary");
                    writer.WriteBase64String(name, bytes);
                    break;
                default:
                    throw new InvalidOperationException($"Property '{name}' has unsupported type {value.GetType().Name}.");
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads one entity object of a query or point-read response.</summary>
    public static TableEntity Read(JsonElement element, string? etagHeader)
    {
        string? partitionKey = null, rowKey = null, etag = null;
        DateTimeOffset? timestamp = null;
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new List<(string Name, JsonElement Value)>();
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name.EndsWith(TypeSuffix, StringComparison.Ordinal))
            {
                types[name[..^TypeSuffix.Length]] = property.Value.GetString() ?? string.Empty;
                continue;
            }

            switch (name)
            {
                case "odata.etag":
                    etag = property.Value.GetString();
                    continue;
                case "PartitionKey":
                    partitionKey = property.Value.GetString();
                    continue;
                case "RowKey":
                    rowKey = property.Value.GetString();
                    continue;
                case "Timestamp":
                    timestamp = property.Value.ValueKind == JsonValueKind.String ? ParseDateTime(property.Value.GetString()!) : null;
                    continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal))
            {
                continue;
            }

            values.Add((name, property.Value));
        }

        var entity = new TableEntity(partitionKey ?? string.Empty, rowKey ?? string.Empty)
        {
            // The header (point reads) and odata.etag (queries) carry the same value; keep it exactly as sent.
            ETag = etagHeader ?? etag,
            Timestamp = timestamp,
        };

        foreach (var (name, value) in values)
        {
            var parsed = ReadValue(name, value, types.GetValueOrDefault(name));
            if (parsed is not null)
            {
                entity.SetRaw(name, parsed);
            }
        }

        return entity;
    }

    private static object? ReadValue(string name, JsonElement value, string? edmType)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        try
        {
            switch (edmType)
            {
                case "Edm.Int64":
                    return value.ValueKind == JsonValueKind.String
                        ? long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                        : value.GetInt64();
                case "Edm.Int32":
                    return value.ValueKind == JsonValueKind.String
                        ? int.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                        : value.GetInt32();
                case "Edm.Double":
                    return value.ValueKind == JsonValueKind.String
                        ? value.GetString() switch
                        {
                            "NaN" => double.NaN,
                            "Infinity" or "INF" => double.PositiveInfinity,
                            "-Infinity" or "-INF" => double.NegativeInfinity,
                            var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
                        }
                        : value.GetDouble();
                case "Edm.DateTime":
                    return ParseDateTime(value.GetString()!);
                case "Edm.Guid":
                    return Guid.Parse(value.GetString()!);
                case "Edm.Binary":
                    return value.GetBytesFromBase64();
                case "Edm.Boolean":
                    return value.GetBoolean();
                case "Edm.String":
                    return value.GetString();
                case null or "":
                    break;
                default:
                    // An unknown annotation: keep the raw text rather than fail the whole read.
                    return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when value.TryGetInt32(out var i) && IsIntegerLiteral(value) => i,
                JsonValueKind.Number when value.TryGetInt64(out var l) && IsIntegerLiteral(value) => l,
                JsonValueKind.Number => value.GetDouble(),
                _ => value.GetRawText(),
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or OverflowException)
        {
            throw new TableStorageException($"Property '{name}' could not be read as {edmType ?? value.ValueKind.ToString()}.", ex);
        }
    }

    private static bool IsIntegerLiteral(JsonElement number)
    {
        var raw = number.GetRawText();
        return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
    }

    /// <summary>UTF-8 text of a body, for error messages.</summary>
    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
