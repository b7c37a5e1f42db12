using System.Globalization;
using System.Text.RegularExpressions;

namespace Payments.Host.Tests.Contract;

/// <summary>
/// The part of JSON Schema 2020-12 that <c>openapi/payments-v1.json</c> uses, checked strictly: an object schema with
/// <c>properties</c> and no <c>additionalProperties</c> is closed (a field the app sends must be documented), and a keyword
/// this check does not know fails the check instead of being ignored, so the contract cannot outgrow it unnoticed.
/// </summary>
public sealed class SchemaCheck(JsonObject schemas)
{
    private static readonly HashSet<string> Known =
    [
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "const", "oneOf", "anyOf", "allOf",
        "format", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",

        // Annotations only.
        "description", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly",
    ];

    /// <summary>What is wrong with <paramref name="value"/> against <paramref name="schema"/>, at JSON Pointer paths; empty when it conforms.</summary>
    public List<string> Check(JsonNode? schema, JsonNode? value)
    {
        var errors = new List<string>();
        Check(schema, value, "", errors, depth: 0);
        return errors;
    }

    private void Check(JsonNode? schemaNode, JsonNode? value, string at, List<string> errors, int depth)
    {
        if (depth > 64)
        {
            errors.Add($"{at}: schema nesting deeper than 64 (a $ref cycle?)");
            return;
        }

        if (schemaNode is JsonValue b && b.TryGetValue<bool>(out var allowed))
        {
            if (!allowed)
            {
                errors.Add($"{at}: no value is allowed here");
            }

            return;
        }

        if (schemaNode is not JsonObject schema)
        {
            errors.Add($"{at}: the schema is not an object");
            return;
        }

        foreach (var (keyword, _) in schema)
        {
            if (!Known.Contains(keyword) && !keyword.StartsWith("x-", StringComparison.Ordinal))
            {
                errors.Add($"{at}: the contract uses keyword '{keyword}', which this check does not know");
            }
        }

        if (schema["$ref"] is { } reference)
        {
            const string prefix = "#/components/schemas/";
            var text = reference.GetValue<string>();
            if (!text.StartsWith(prefix, StringComparison.Ordinal) || schemas[text[prefix.Length..]] is not { } target)
            {
                errors.Add($"{at}: unresolvable $ref '{text}'");
                return;
            }

            Check(target, value, at, errors, depth + 1);
        }

        if (schema["type"] is { } type && !MatchesType(type, value))
        {
            errors.Add($"{at}: {Describe(value)} is not of type {type.ToJsonString()}");
            return;
        }

        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
        {
            errors.Add($"{at}: {Describe(value)} is not one of {options.ToJsonString()}");
        }

        if (schema.ContainsKey("const") && !JsonNode.DeepEquals(schema["const"], value))
        {
            errors.Add($"{at}: {Describe(value)} is not {schema["const"]?.ToJsonString() ?? "null"}");
        }

        CheckCombinators(schema, value, at, errors, depth);

        switch (value)
        {
            case JsonObject obj:
                CheckObject(schema, obj, at, errors, depth);
                break;
            case JsonArray array:
                CheckArray(schema, array, at, errors, depth);
                break;
            case JsonValue scalar when scalar.TryGetValue<string>(out var s):
                CheckString(schema, s, at, errors);
                break;
            case JsonValue scalar when scalar.TryGetValue<decimal>(out var n):
                CheckNumber(schema, n, at, errors);
                break;
        }
    }

    private void CheckCombinators(JsonObject schema, JsonNode? value, string at, List<string> errors, int depth)
    {
        if (schema["allOf"] is JsonArray all)
        {
            foreach (var part in all)
            {
                Check(part, value, at, errors, depth + 1);
            }
        }

        if (schema["oneOf"] is JsonArray one)
        {
            var matches = one.Count(part => Check(part, value) is []);
            if (matches != 1)
            {
                errors.Add($"{at}: {Describe(value)} matches {matches} of the oneOf schemas, not exactly 1");
            }
        }

        if (schema["anyOf"] is JsonArray any && !any.Any(part => Check(part, value) is []))
        {
            errors.Add($"{at}: {Describe(value)} matches none of the anyOf schemas");
        }
    }

    private void CheckObject(JsonObject schema, JsonObject obj, string at, List<string> errors, int depth)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var required in schema["required"] as JsonArray ?? [])
        {
            var name = required!.GetValue<string>();
            if (!obj.ContainsKey(name))
            {
                errors.Add($"{at}: required property '{name}' is missing");
            }
        }

        foreach (var (name, child) in obj)
        {
            var path = $"{at}/{name}";
            if (properties?[name] is { } propertySchema)
            {
                Check(propertySchema, child, path, errors, depth + 1);
            }
            else if (schema["additionalProperties"] is { } additional)
            {
                Check(additional, child, path, errors, depth + 1);
            }
            else if (properties is not null)
            {
                errors.Add($"{path}: property '{name}' is not in the contract");
            }
        }
    }

    private void CheckArray(JsonObject schema, JsonArray array, string at, List<string> errors, int depth)
    {
        if (schema["minItems"] is { } min && array.Count < min.GetValue<int>())
        {
            errors.Add($"{at}: {array.Count} items, fewer than {min}");
        }

        if (schema["maxItems"] is { } max && array.Count > max.GetValue<int>())
        {
            errors.Add($"{at}: {array.Count} items, more than {max}");
        }

        if (schema["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(items, array[i], $"{at}/{i}", errors, depth + 1);
            }
        }
    }

    private static void CheckString(JsonObject schema, string s, string at, List<string> errors)
    {
        if (schema["minLength"] is { } min && s.Length < min.GetValue<int>())
        {
            errors.Add($"{at}: shorter than {min}");
        }

        if (schema["maxLength"] is { } max && s.Length > max.GetValue<int>())
        {
            errors.Add($"{at}: longer than {max}");
        }

        if (schema["pattern"] is { } pattern && !Regex.IsMatch(s, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{at}: \"{s}\" does not match {pattern.GetValue<string>()}");
        }

        if (schema["format"]?.GetValue<string>() == "date-time"
            && !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add($"{at}: \"{s}\" is not a date-time");
        }
    }

    private static void CheckNumber(JsonObject schema, decimal n, string at, List<string> errors)
    {
        if (schema["minimum"] is { } min && n < min.GetValue<decimal>())
        {
            errors.Add($"{at}: {n} is below {min}");
        }

        if (schema["maximum"] is { } max && n > max.GetValue<decimal>())
        {
            errors.Add($"{at}: {n} is above {max}");
        }
    }

    private static bool MatchesType(JsonNode type, JsonNode? value) => type switch
    {
        JsonArray types => types.Any(t => MatchesType(t!.GetValue<string>(), value)),
        _ => MatchesType(type.GetValue<string>(), value),
    };

    private static bool MatchesType(string type, JsonNode? value) => type switch
    {
        "null" => value is null,
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String,
        "boolean" => value is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
        "number" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number,
        "integer" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<decimal>(out var d) && d == decimal.Truncate(d),
        _ => false,
    };

    private static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
