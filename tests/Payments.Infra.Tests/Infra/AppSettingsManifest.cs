using System.Text.Json;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>
/// infra-bicep/app-settings.json: every configuration key the app reads and where its value comes from in
/// Azure. Keys use ':' ("{n}" = an array index, "*" = one segment, a trailing "*" = any number of segments).
/// </summary>
public sealed class AppSettingsManifest
{
    /// <summary>Sources whose value main.bicep sets.</summary>
    public static readonly IReadOnlySet<string> SetByTemplate = new HashSet<string>(StringComparer.Ordinal)
    {
        "resource", "parameter", "keyvault", "constant",
    };

    /// <summary>Sources main.bicep leaves alone ("never" ones it must not set).</summary>
    public static readonly IReadOnlySet<string> NotSetByTemplate = new HashSet<string>(StringComparer.Ordinal)
    {
        "default", "platform", "standalone", "never",
    };

    public AppSettingsManifest(IReadOnlyList<SettingEntry> settings) => Settings = settings;

    public IReadOnlyList<SettingEntry> Settings { get; }

    public IEnumerable<SettingEntry> Set => Settings.Where(s => SetByTemplate.Contains(s.Source));

    public static AppSettingsManifest Load(string path) => Parse(File.ReadAllText(path));

    public static AppSettingsManifest Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var settings = new List<SettingEntry>();
        foreach (var item in doc.RootElement.GetProperty("settings").EnumerateArray())
        {
            settings.Add(new SettingEntry(
                Key: item.GetProperty("key").GetString() ?? string.Empty,
                Required: item.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True,
                Source: item.TryGetProperty("source", out var s) ? s.GetString() ?? string.Empty : string.Empty,
                Parameter: item.TryGetProperty("parameter", out var p) ? p.GetString() : null,
                Secret: item.TryGetProperty("secret", out var k) ? k.GetString() : null,
                Provider: item.TryGetProperty("provider", out var v) ? v.GetString() : null));
        }

        return new AppSettingsManifest(settings);
    }

    /// <summary>The first entry whose key is <paramref name="key"/> or a key below it (a section the code reads).</summary>
    public SettingEntry? Covering(string key) =>
        Settings.FirstOrDefault(s => ConfigKey.Matches(s.Key, key)) ?? Settings.FirstOrDefault(s => ConfigKey.IsPrefixOf(key, s.Key));
}

public sealed record SettingEntry(string Key, bool Required, string Source, string? Parameter, string? Secret, string? Provider)
{
    /// <summary>The app-setting (environment variable) name: ':' becomes "__".</summary>
    public string EnvName => ConfigKey.ToEnv(Key);

    public override string ToString() => $"{Key} ({Source})";
}

/// <summary>Configuration key patterns.</summary>
public static partial class ConfigKey
{
    public const string Index = "{n}";
    public const string Any = "*";

    public static string[] Segments(string key) => key.Split(':');

    public static string ToEnv(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>True when <paramref name="pattern"/> matches all of <paramref name="key"/>.</summary>
    public static bool Matches(string pattern, string key)
    {
        var p = Segments(pattern);
        var k = Segments(key);
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] == Any && i == p.Length - 1)
            {
                return k.Length > i; // a trailing '*' takes one or more segments
            }

            if (i >= k.Length || !SegmentMatches(p[i], k[i]))
            {
                return false;
            }
        }

        return k.Length == p.Length;
    }

    /// <summary>True when <paramref name="key"/> is a proper prefix (a section) of <paramref name="pattern"/>.</summary>
    public static bool IsPrefixOf(string key, string pattern)
    {
        var p = Segments(pattern);
        var k = Segments(key);
        if (k.Length >= p.Length)
        {
            return false;
        }

        for (var i = 0; i < k.Length; i++)
        {
            if (!SegmentMatches(p[i], k[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SegmentMatches(string pattern, string segment) =>
        pattern switch
        {
            Any => segment.Length > 0,
            Index => DigitsOrIndex().IsMatch(segment),
            _ => string.Equals(pattern, segment, StringComparison.OrdinalIgnoreCase),
        };

    // An index in a key the code reads ("0") or in a key found in the template ("{n}").
    [GeneratedRegex(@"^(?:\d+|\{n\})$")]
    private static partial Regex DigitsOrIndex();
}
