namespace Payments.Testing.Html;

/// <summary>A form in an HTML page: its action and its fields (hidden inputs, and the named buttons).</summary>
public sealed record HtmlForm(string Action, IReadOnlyList<KeyValuePair<string, string>> Inputs, IReadOnlyList<(string Name, string Value, string Label)> Buttons);
