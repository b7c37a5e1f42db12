using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>A configuration key or section the app reads, and where that was found.</summary>
public sealed record ConfigurationRead(string Key, string Where)
{
    public override string ToString() => $"{Key} ({Where})";
}

/// <summary>
/// Finds the configuration keys and sections the C# sources under src/ name literally:
/// <c>SectionName = "…"</c> constants, <c>BindConfiguration("…")</c>, <c>configuration.GetSection("…")</c>,
/// <c>configuration["…"]</c> (also with a string constant as the index), <c>GetValue&lt;T&gt;("…")</c> and <c>GetValue("…", default)</c>,
/// <c>GetConnectionString("…")</c>, and any string literal that is a whole key path under a known root
/// (<c>"Providers:Next:BaseUrl"</c>). Properties of options classes are found by <see cref="ConfigurationProbe"/>.
/// </summary>
public static partial class SourceConfigurationScanner
{
    public static IReadOnlyList<ConfigurationRead> Scan(string srcDir, IEnumerable<string> knownRoots)
    {
        var files = Directory.EnumerateFiles(srcDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(srcDir, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        var texts = files.ToDictionary(f => f, File.ReadAllText);

        // String constants anywhere in src, for indexers like configuration[PortVariable].
        var constants = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in texts.Values)
        {
            foreach (Match m in StringConstant().Matches(text))
            {
                constants.TryAdd(m.Groups["name"].Value, m.Groups["value"].Value);
            }
        }

        var reads = new List<ConfigurationRead>();
        var roots = new HashSet<string>(knownRoots, StringComparer.OrdinalIgnoreCase);
        foreach (var (file, text) in texts)
        {
            void Add(Match m, string key)
            {
                if (key.Length == 0 || key.Contains(' ', StringComparison.Ordinal))
                {
                    return;
                }

                var line = text[..m.Index].Count(c => c == '\n') + 1;
                reads.Add(new ConfigurationRead(key, $"{Repo.Relative(file)}:{line}"));
                roots.Add(ConfigKey.Segments(key)[0]);
            }

            foreach (Match m in SectionNameConstant().Matches(text))
            {
                Add(m, m.Groups["key"].Value);
            }

            foreach (Match m in BindConfiguration().Matches(text))
            {
                Add(m, m.Groups["key"].Value);
            }

            foreach (Match m in RootGetSection().Matches(text))
            {
                Add(m, m.Groups["key"].Value);
            }

            foreach (Match m in Indexer().Matches(text))
            {
                Add(m, m.Groups["key"].Value);
            }

            foreach (Match m in ConstantIndexer().Matches(text))
            {
                var name = m.Groups["name"].Value;
                var member = name.Contains('.', StringComparison.Ordinal) ? name[(name.LastIndexOf('.') + 1)..] : name;
                if (constants.TryGetValue(member, out var value))
                {
                    Add(m, value);
                }
            }

            foreach (Match m in GetValue().Matches(text))
            {
                Add(m, m.Groups["key"].Value);
            }

            foreach (Match m in GetConnectionString().Matches(text))
            {
                Add(m, "ConnectionStrings:" + m.Groups["key"].Value);
            }
        }

        // Whole key paths written as literals, under a root the app is known to read.
        foreach (var (file, text) in texts)
        {
            foreach (Match m in KeyPathLiteral().Matches(text))
            {
                var key = m.Groups["key"].Value;
                if (roots.Contains(ConfigKey.Segments(key)[0]))
                {
                    var line = text[..m.Index].Count(c => c == '\n') + 1;
                    reads.Add(new ConfigurationRead(key, $"{Repo.Relative(file)}:{line}"));
                }
            }
        }

        return reads;
    }

    private static bool IsBuildOutput(string srcDir, string file)
    {
        var parts = Path.GetRelativePath(srcDir, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Any(p => p is "bin" or "obj");
    }

    [GeneratedRegex(@"\bconst\s+string\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*""(?<value>[^""\\]*)""")]
    private static partial Regex StringConstant();

    [GeneratedRegex(@"\bSectionName\s*=\s*""(?<key>[^""\\]+)""")]
    private static partial Regex SectionNameConstant();

    [GeneratedRegex(@"\bBindConfiguration\(\s*""(?<key>[^""\\]+)""")]
    private static partial Regex BindConfiguration();

    // Only on a configuration root (configuration, Configuration, config), not on a section variable.
    [GeneratedRegex(@"\b(?:[cC]onfiguration|config|cfg)\s*\.\s*GetSection\(\s*""(?<key>[^""\\]+)""")]
    private static partial Regex RootGetSection();

    [GeneratedRegex(@"\b(?:[cC]onfiguration|config|cfg)\s*\[\s*""(?<key>[^""\\]+)""\s*\]")]
    private static partial Regex Indexer();

    [GeneratedRegex(@"\b(?:[cC]onfiguration|config|cfg)\s*\[\s*(?<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\]")]
    private static partial Regex ConstantIndexer();

    [GeneratedRegex(@"\.GetValue(?:<[^>()]+>)?\(\s*""(?<key>[^""\\]+)""")]
    private static partial Regex GetValue();

    [GeneratedRegex(@"\bGetConnectionString\(\s*""(?<key>[^""\\]+)""")]
    private static partial Regex GetConnectionString();

    [GeneratedRegex(@"""(?<key>[A-Z][A-Za-z0-9_]*(?::(?:[A-Z][A-Za-z0-9_]*|\d+))+)""")]
    private static partial Regex KeyPathLiteral();
}
