using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>
/// A textual reading of main.bicep's two marked blocks, where the source says more than the compiled ARM JSON
/// (whose values are format() expressions): the app-settings block between "// app-settings:begin" and
/// "// app-settings:end", and the function URL output between "// functionUrls:begin" and "// functionUrls:end".
/// Parameters and loaded files are read from the compiled template (ArmTemplate). Settings are object properties
/// (<c>Name__Key: value</c>) or toObject key lambdas (<c>i =&gt; 'Name__${i}__Key'</c>).
/// </summary>
public sealed partial class BicepTemplate
{
    public const string SettingsBegin = "// app-settings:begin";
    public const string SettingsEnd = "// app-settings:end";
    public const string UrlsBegin = "// functionUrls:begin";
    public const string UrlsEnd = "// functionUrls:end";

    public BicepTemplate(string text)
    {
        Text = text;
        SettingsBlock = Block(text, SettingsBegin, SettingsEnd);
        UrlsBlock = Block(text, UrlsBegin, UrlsEnd);
    }

    public string Text { get; }

    public string? SettingsBlock { get; }

    public string? UrlsBlock { get; }

    public static BicepTemplate Load(string path) => new(File.ReadAllText(path));

    public static string? Block(string text, string begin, string end)
    {
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = start < 0 ? -1 : text.IndexOf(end, start, StringComparison.Ordinal);
        return start < 0 || stop < 0 ? null : text[(start + begin.Length)..stop];
    }

    /// <summary>Every app-setting name the block sets, in config-key form ("__" → ':', "${i}" → "{n}").</summary>
    public IReadOnlyList<string> SettingKeys()
    {
        if (SettingsBlock is null)
        {
            return [];
        }

        var keys = new List<string>();
        foreach (Match m in PropertyKey().Matches(SettingsBlock))
        {
            keys.Add(m.Groups["key"].Value.Replace("__", ":", StringComparison.Ordinal));
        }

        foreach (Match m in ToObjectKey().Matches(SettingsBlock))
        {
            keys.Add(Interpolation().Replace(m.Groups["key"].Value, ConfigKey.Index).Replace("__", ":", StringComparison.Ordinal));
        }

        return keys;
    }

    /// <summary>The lines of the settings block that set <paramref name="envName"/> ("{n}" = any interpolation).</summary>
    public IReadOnlyList<string> SettingLines(string envName)
    {
        if (SettingsBlock is null)
        {
            return [];
        }

        var pattern = KeyPattern(envName);
        var property = new Regex(@"^\s*'?" + pattern + @"'?\s*:", RegexOptions.IgnoreCase);
        var quoted = new Regex("'" + pattern + "'", RegexOptions.IgnoreCase);
        return SettingsBlock.Split('\n')
            .Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Where(line => property.IsMatch(line) || quoted.IsMatch(line))
            .Select(line => line.Trim())
            .ToList();
    }

    /// <summary>A regex for a key or secret name in which "{n}" stands for an interpolation such as ${i}.</summary>
    public static string KeyPattern(string name) =>
        string.Join(@"\$\{[^}]+\}", name.Split(ConfigKey.Index).Select(Regex.Escape));

    /// <summary>Function name → the route part of its URL in the functionUrls output ("${apiBaseUrl}/&lt;route&gt;").</summary>
    public IReadOnlyDictionary<string, string> FunctionUrlRoutes()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (UrlsBlock is null)
        {
            return result;
        }

        foreach (Match m in UrlEntry().Matches(UrlsBlock))
        {
            result[m.Groups["name"].Value] = m.Groups["route"].Value;
        }

        return result;
    }

    [GeneratedRegex(@"^[ \t]*(?<key>[A-Za-z][A-Za-z0-9_]*)[ \t]*:[ \t]", RegexOptions.Multiline)]
    private static partial Regex PropertyKey();

    [GeneratedRegex(@"toObject\([^\n]*?=>\s*'(?<key>[^']+)'")]
    private static partial Regex ToObjectKey();

    [GeneratedRegex(@"\$\{[^}]+\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"^[ \t]*(?<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*:[ \t]*'\$\{apiBaseUrl\}/(?<route>[^']*)'", RegexOptions.Multiline)]
    private static partial Regex UrlEntry();
}
