using System.Net;
using System.Text.RegularExpressions;

namespace Payments.Testing.Html;

/// <summary>Reads the forms of the sandboxes' hosted pages, as a browser would submit them. Enough HTML for our own pages.</summary>
public static partial class HtmlForms
{
    public static List<HtmlForm> Parse(string html) =>
        FormTag().Matches(html).Select(m =>
        {
            var body = m.Groups["body"].Value;
            var inputs = InputTag().Matches(body)
                .Select(i => new KeyValuePair<string, string>(WebUtility.HtmlDecode(i.Groups["name"].Value), WebUtility.HtmlDecode(i.Groups["value"].Value)))
                .ToList();
            var buttons = ButtonTag().Matches(body)
                .Select(b => (WebUtility.HtmlDecode(b.Groups["name"].Value), WebUtility.HtmlDecode(b.Groups["value"].Value), WebUtility.HtmlDecode(b.Groups["label"].Value).Trim()))
                .ToList();
            return new HtmlForm(WebUtility.HtmlDecode(m.Groups["action"].Value), inputs, buttons);
        }).ToList();

    [GeneratedRegex("""<form[^>]*?action="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormTag();

    [GeneratedRegex("""<input[^>]*?name="(?<name>[^"]*)"[^>]*?value="(?<value>[^"]*)"[^>]*>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("""<button[^>]*?name="(?<name>[^"]*)"[^>]*?value="(?<value>[^"]*)"[^>]*>(?<label>.*?)</button>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ButtonTag();
}
