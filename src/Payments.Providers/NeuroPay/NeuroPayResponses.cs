using System.Globalization;
using System.Text.Json;
using Payments.Core.Validation;
using Payments.Providers.Http;

namespace Payments.Providers.NeuroPay;

/// <summary>A checkout as Neuro-Pay returns it from every checkout endpoint ("in its new state").</summary>
/// <param name="CheckoutId">The id every later call takes as <c>checkout_id</c>.</param>
/// <param name="Status">Neuro-Pay's status word, unmapped (see <see cref="NeuroPayStatusMapping"/>).</param>
/// <param name="Amount">Minor units, when the body carries it.</param>
/// <param name="RefundedAmount">Minor units refunded so far, when the body carries it.</param>
/// <param name="Url">The hosted checkout page, when the body carries it.</param>
public sealed record NeuroPayCheckout(
    string CheckoutId,
    string? Status,
    long? Amount,
    string? Currency,
    long? RefundedAmount,
    string? Url,
    string? Identifier,
    string? CustomerId,
    string? CardId,
    IReadOnlyDictionary<string, string> MetaData);

/// <summary>A customer as Neuro-Pay returns it from every customer endpoint.</summary>
public sealed record NeuroPayCustomer(
    string CustomerId,
    string? FirstName,
    string? LastName,
    string? Email,
    string? ClientPage,
    IReadOnlyDictionary<string, string> MetaData,
    IReadOnlyList<NeuroPaySavedCard> SavedCards);

public sealed record NeuroPaySavedCard(string CardId, string? Brand, string? Last4, string? Expiry, bool IsDefault);

/// <summary>
/// THE one place where Neuro-Pay's response JSON is read. Nothing else in this service knows a response field name.
/// </summary>
/// <remarks>
/// <para>What is documented: every checkout endpoint returns "the checkout object in its new state", dates are UTC,
/// statuses are the nine words of <see cref="NeuroPayStatusMapping"/>; the customer object is
/// <c>{customer_id, first_name, last_name, email, client_page, metaData, savedCards[]}</c> (newer docs; the seed
/// spells the link "Client_page").</para>
/// <para>What is NOT documented (the seed shows the checkout object only as a missing image, and the newer page's
/// response section is not available): the checkout object's field names. The choices, most likely first:</para>
/// <list type="bullet">
/// <item>id: <c>checkout_id</c> (the name every request uses for it, and the customer object's <c>customer_id</c>
/// pattern), else <c>id</c>, else <c>cid</c> (the wiki's "the cid will get as reference");</item>
/// <item>shopper page: <c>url</c>, else <c>checkout_url</c>, <c>checkoutUrl</c>, <c>payment_url</c>, <c>link</c>,
/// <c>redirect_url</c>, <c>redirectUrl</c>;</item>
/// <item>refunded so far: <c>refunded_amount</c>, else <c>refundedAmount</c>, <c>amount_refunded</c> (optional: absent
/// means unknown);</item>
/// <item>the object may come wrapped in <c>checkout</c> or <c>data</c>;</item>
/// <item><c>metaData</c> as an object, or as the wiki's "key value pair array" (<c>[{"key":…,"value":…}]</c> or
/// <c>[{"k":"v"}]</c>);</item>
/// <item>saved cards: <c>card_id</c>|<c>id</c>, <c>brand</c>|<c>type</c>, <c>last4</c>|<c>last_four</c>|<c>masked</c>
/// (last four digits), <c>expiry</c>|<c>exp</c> or <c>exp_month</c>+<c>exp_year</c>, <c>default</c>|<c>is_default</c>.</item>
/// </list>
/// <para>Names are matched case-insensitively. The simulator emits the first name of each list.</para>
/// </remarks>
public static class NeuroPayResponses
{
    private static readonly string[] CheckoutIdNames = ["checkout_id", "checkoutId", "id", "cid"];
    private static readonly string[] UrlNames = ["url", "checkout_url", "checkoutUrl", "payment_url", "link", "redirect_url", "redirectUrl"];
    private static readonly string[] RefundedNames = ["refunded_amount", "refundedAmount", "amount_refunded"];
    private static readonly string[] CustomerIdNames = ["customer_id", "customerId", "id"];
    private static readonly string[] ClientPageNames = ["client_page", "clientPage"];
    private static readonly string[] CardsNames = ["savedCards", "saved_cards", "cards"];
    private static readonly string[] CardIdNames = ["card_id", "cardId", "id"];

    /// <summary>Reads a checkout; null (with the problem) when the body is not a checkout object with an id.</summary>
    public static NeuroPayCheckout? ReadCheckout(string raw, out string problem) =>
        ReadObject(raw, ["checkout", "data"], CheckoutIdNames, "checkout_id", (root, id) => new NeuroPayCheckout(
            id,
            Text(root, "status"),
            Integer(root, "amount"),
            Text(root, "currency"),
            Integer(root, RefundedNames),
            Text(root, UrlNames),
            Text(root, "identifier"),
            Text(root, "customer_id", "customerId"),
            Text(root, "card_id", "cardId"),
            MetaData(root)), out problem);

    /// <summary>Reads a customer; null (with the problem) when the body is not a customer object with an id.</summary>
    public static NeuroPayCustomer? ReadCustomer(string raw, out string problem) =>
        ReadObject(raw, ["customer", "data"], CustomerIdNames, "customer_id", (root, id) =>
        {
            var cards = new List<NeuroPaySavedCard>();
            if (Property(root, CardsNames) is { ValueKind: JsonValueKind.Array } array)
            {
                foreach (var card in array.EnumerateArray())
                {
                    if (card.ValueKind == JsonValueKind.Object && ReadCard(card) is { } c)
                    {
                        cards.Add(c);
                    }
                }
            }

            return new NeuroPayCustomer(id, Text(root, "first_name", "firstName"), Text(root, "last_name", "lastName"),
                Text(root, "email"), Text(root, ClientPageNames), MetaData(root), cards);
        }, out problem);

    /// <summary>
    /// The error code of an error body, for <c>ProviderException.ProviderCode</c>; never message text. Undocumented:
    /// reads <c>error</c> (a string, or an object's <c>code</c>), else <c>code</c>.
    /// </summary>
    public static string? ReadErrorCode(string rawBody) => ProviderJson.ReadErrorCode(rawBody, root =>
    {
        var code = Property(root, "error") is { } error
            ? error.ValueKind switch
            {
                JsonValueKind.String => JsonText.TryGetString(error, out var text) ? text : null,
                JsonValueKind.Object => Text(error, "code"),
                _ => null,
            }
            : null;
        code ??= Text(root, "code");
        return code is { Length: > 0 } c ? ProviderJson.Cut(c) : null;
    });

    /// <summary>
    /// The one way an object is read out of an answer: its root (bare, or under one of <paramref name="wrappers"/>),
    /// an id under one of <paramref name="idNames"/> that is a usable Neuro-Pay id, then <paramref name="build"/> from
    /// the root and the id; null with the problem otherwise.
    /// </summary>
    private static T? ReadObject<T>(string raw, string[] wrappers, string[] idNames, string idName, Func<JsonElement, string, T> build, out string problem)
        where T : class
    {
        if (!TryRoot(raw, wrappers, idNames, out var doc, out var root, out problem))
        {
            return null;
        }

        using (doc)
        {
            var id = Text(root, idNames);
            if (!NeuroPayIds.IsValid(id))
            {
                problem = $"it has no usable {idName}";
                return null;
            }

            return build(root, id!);
        }
    }

        private static NeuroPaySavedCard? ReadCard(JsonElement card)
    {
        var id = Text(card, CardIdNames);
        if (!NeuroPayIds.IsValid(id))
        {
            return null;
        }

        var last4 = Text(card, "last4", "last_four", "lastFour", "masked", "pan");
        if (last4 is not null)
        {
            var digits = new string(last4.Where(char.IsAsciiDigit).ToArray());
            last4 = digits.Length >= 4 ? digits[^4..] : null;
        }

        var expiry = Text(card, "expiry", "exp", "expiration");
        if (expiry is null && Integer(card, "exp_month", "expMonth") is { } month && Integer(card, "exp_year", "expYear") is { } year)
        {
            expiry = string.Create(CultureInfo.InvariantCulture, $"{month:00}/{year % 100:00}");
        }

        var isDefault = Property(card, "default", "is_default", "isDefault") is { } d && d.ValueKind == JsonValueKind.True;
        return new NeuroPaySavedCard(id!, Text(card, "brand", "type"), last4, expiry, isDefault);
    }

    private static bool TryRoot(string raw, string[] wrappers, string[] idNames, out JsonDocument? doc, out JsonElement root, out string problem)
    {
        doc = null;
        root = default;
        try
        {
            doc = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            problem = "the body is not JSON";
            return false;
        }

        root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            problem = "the body is not a JSON object";
            return false;
        }

        if (!JsonText.IsValid(root))
        {
            doc.Dispose();
            problem = "the body holds text that is not valid UTF-16";
            return false;
        }

        if (Property(root, idNames) is null)
        {
            foreach (var wrapper in wrappers)
            {
                if (Property(root, wrapper) is { ValueKind: JsonValueKind.Object } inner)
                {
                    root = inner;
                    break;
                }
            }
        }

        problem = string.Empty;
        return true;
    }

    private static Dictionary<string, string> MetaData(JsonElement root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Property(root, "metaData", "metadata", "meta_data"))
        {
            case { ValueKind: JsonValueKind.Object } obj:
                foreach (var p in obj.EnumerateObject())
                {
                    if (JsonText.TryGetName(p, out var name) && Scalar(p.Value) is { } v)
                    {
                        result[name] = v;
                    }
                }

                break;
            case { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    if (Text(item, "key") is { } key && Property(item, "value") is { } value)
                    {
                        if (Scalar(value) is { } v)
                        {
                            result[key] = v;
                        }

                        continue;
                    }

                    foreach (var p in item.EnumerateObject())
                    {
                        if (JsonText.TryGetName(p, out var name) && Scalar(p.Value) is { } v)
                        {
                            result[name] = v;
                        }
                    }
                }

                break;
        }

        return result;
    }

    private static JsonElement? Property(JsonElement obj, params string[] names)
    {
        foreach (var name in names)
        {
            if (obj.TryGetProperty(name, out var exact))
            {
                return exact;
            }
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (JsonText.TryGetName(p, out var name) && names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement obj, params string[] names) =>
        Property(obj, names) is { } value ? Scalar(value) : null;

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonText.TryGetString(value, out var text) ? text : null,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>A whole number sent as a JSON number or a digit string; null when absent or not whole.</summary>
    private static long? Integer(JsonElement obj, params string[] names) => Property(obj, names) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var v) => v,
        { ValueKind: JsonValueKind.String } s when JsonText.TryGetString(s, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };
}

/// <summary>What a Neuro-Pay id looks like here: 1-64 letters, digits, '-' or '_' (the documented examples are 32 hex digits).</summary>
public static class NeuroPayIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
