using System.Text.Encodings.Web;

namespace Payments.Sandbox;

/// <summary>
/// The HTML the simulators' hosted pages share: the document around a page, the decision form's buttons, a closed
/// or unknown page, and encoding. What a page says (its provider's wording, its fields) stays with the provider.
/// </summary>
internal static class SandboxPages
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>The viewport element of the pages a phone may show (the payment pages).</summary>
    public const string Viewport = """<meta name="viewport" content="width=device-width, initial-scale=1">""";

    /// <summary><paramref name="text"/> HTML-encoded; null as nothing. Everything a page renders from a request goes through here.</summary>
    public static string E(string? text) => Encoder.Encode(text ?? string.Empty);

    /// <summary>
    /// A whole page: doctype, <c>&lt;html lang="en"&gt;</c>, a head with the charset, <paramref name="head"/> and the title,
    /// then <paramref name="body"/> (the <c>&lt;body&gt;</c> element itself). Title, head and body are HTML, encoded by the caller.
    /// </summary>
    public static string Document(string title, string body, string head = "") => $$"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8">{{head}}<title>{{title}}</title></head>
        {{body}}
        </html>
        """;

    /// <summary>A page that only says something is not there: a heading and, when given, one paragraph.</summary>
    public static string Notice(string title, string heading, string? text = null) =>
        Document(title, $"<body><h1>{heading}</h1>{(text is null ? string.Empty : $"<p>{text}</p>")}</body>");

    /// <summary>The hosted page's choices: one submit button named <c>decision</c> per value, a line each.</summary>
    public static string DecisionButtons(params (string Value, string Label)[] choices) =>
        string.Join("\n", choices.Select(c => $"<button type=\"submit\" name=\"decision\" value=\"{c.Value}\">{c.Label}</button>"));
}
