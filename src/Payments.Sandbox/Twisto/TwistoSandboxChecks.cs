using System.Globalization;
using System.Text.RegularExpressions;

namespace Payments.Sandbox.Twisto;

/// <summary>
/// Field checks with Django REST framework's wording, collected as <c>{"field.path": ["message", …]}</c>. Twisto's
/// 400 bodies are sent as <c>{"errors": {…}}</c> (the v2 error table's shape).
/// </summary>
internal sealed partial class TwistoSandboxChecks
{
    public JsonObject Errors { get; } = new();

    public bool Ok => Errors.Count == 0;

    public void Add(string field, string message)
    {
        if (Errors[field] is not JsonArray list)
        {
            list = [];
            Errors[field] = list;
        }

        list.Add(message);
    }

    public JsonObject? Object(JsonObject? parent, string name, string path, bool required, bool allowNull = false)
    {
        if (!Present(parent, name, path, required, allowNull, out var node))
        {
            return null;
        }

        if (node is JsonObject o)
        {
            return o;
        }

        Add(path, "Invalid data. Expected a dictionary.");
        return null;
    }

    public JsonArray? Array(JsonObject? parent, string name, string path, bool required, int max)
    {
        if (!Present(parent, name, path, required, allowNull: false, out var node))
        {
            return null;
        }

        if (node is not JsonArray a)
        {
            Add(path, "Expected a list of items.");
            return null;
        }

        if (a.Count > max)
        {
            Add(path, $"Ensure this field has no more than {max} elements.");
            return null;
        }

        return a;
    }

    public string? Text(JsonObject? parent, string name, string path, bool required, int max = 255, bool allowNull = false, int min = 0)
    {
        if (!Present(parent, name, path, required, allowNull, out var node))
        {
            return null;
        }

        if (node!.GetValueKind() != JsonValueKind.String)
        {
            Add(path, "Not a valid string.");
            return null;
        }

        var text = node.GetValue<string>();
        if (required && text.Length == 0)
        {
            Add(path, "This field may not be blank.");
        }
        else if (text.Length > max)
        {
            Add(path, $"Ensure this field has no more than {max} characters.");
        }
        else if (text.Length < min)
        {
            Add(path, $"Ensure this field has at least {min} characters.");
        }

        return text;
    }

    public string? Choice(JsonObject? parent, string name, string path, bool required, IReadOnlyList<string> allowed)
    {
        var text = Text(parent, name, path, required);
        if (text is not null && !allowed.Contains(text))
        {
            Add(path, $"\"{text}\" is not a valid choice.");
            return null;
        }

        return text;
    }

    /// <summary>A Twisto decimal (string, or a number as DRF's DecimalField takes): its value in hundredths.</summary>
    public long? Decimal(JsonObject? parent, string name, string path, bool required, bool vat = false)
    {
        if (!Present(parent, name, path, required, allowNull: false, out var node))
        {
            return null;
        }

        var text = node!.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number => node.ToJsonString(),
            _ => null,
        };
        var minor = text is null ? null : (vat ? (VatPattern().IsMatch(text) ? TwistoSandbox.ParseMinor(text, vat: true) : null) : TwistoSandbox.ParseMinor(text));
        if (minor is null)
        {
            Add(path, vat ? "A valid VAT rate is required: at most 2 digits and 2 decimal places." : "A valid number is required: at most 8 digits and 2 decimal places.");
        }

        return minor;
    }

    public int? Integer(JsonObject? parent, string name, string path, bool required, int min)
    {
        if (!Present(parent, name, path, required, allowNull: false, out var node))
        {
            return null;
        }

        if (node!.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var value))
        {
            Add(path, "A valid integer is required.");
            return null;
        }

        if (value < min)
        {
            Add(path, $"Ensure this value is greater than or equal to {min}.");
        }

        return value;
    }

    public bool? Boolean(JsonObject? parent, string name, string path, bool required)
    {
        if (!Present(parent, name, path, required, allowNull: false, out var node))
        {
            return null;
        }

        if (node!.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            Add(path, "Must be a valid boolean.");
            return null;
        }

        return node.GetValue<bool>();
    }

    public void Date(JsonObject? parent, string name, string path, bool required, bool allowNull = false)
    {
        var text = Text(parent, name, path, required, 10, allowNull);
        if (text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            Add(path, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.");
        }
    }

    public string? Url(JsonObject? parent, string name, string path, bool required, int max)
    {
        var text = Text(parent, name, path, required, max);
        if (text is not null && (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            Add(path, "Enter a valid URL.");
            return null;
        }

        return text;
    }

    public void Email(JsonObject? parent, string name, string path, bool required)
    {
        var text = Text(parent, name, path, required, 254, allowNull: !required);
        if (!string.IsNullOrEmpty(text) && !EmailPattern().IsMatch(text))
        {
            Add(path, "Enter a valid email address.");
        }
    }

    private bool Present(JsonObject? parent, string name, string path, bool required, bool allowNull, out JsonNode? node)
    {
        node = null;
        if (parent is null || !parent.TryGetPropertyValue(name, out node))
        {
            if (required)
            {
                Add(path, "This field is required.");
            }

            return false;
        }

        if (node is null)
        {
            if (!allowNull)
            {
                Add(path, "This field may not be null.");
            }

            return false;
        }

        return true;
    }

    [GeneratedRegex(@"^-?\d{0,2}(?:\.\d{0,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex VatPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
