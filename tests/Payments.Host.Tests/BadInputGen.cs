using System.Text.RegularExpressions;
using CsCheck;

namespace Payments.Host.Tests;

/// <summary>
/// Generators of hostile input: huge numbers, unpaired surrogates, deep nesting, wrong types, broken syntax, bad
/// UTF-8, odd media types, broken chunked framing, bad ids and keys, huge headers.
/// </summary>
public static partial class BadInputGen
{
    /// <summary>A raw JSON fragment put where a value goes: the string marker is replaced when the body is rendered.</summary>
    public static JsonNode Raw(string json) => JsonValue.Create("@@RAW:" + Convert.ToBase64String(Encoding.UTF8.GetBytes(json)) + "@@")!;

    /// <summary>Bytes that are not UTF-8, put inside a JSON string.</summary>
    public static JsonNode BadUtf8(int which) => JsonValue.Create($"@@BADUTF8:{which}@@")!;

    private static readonly byte[][] BadUtf8Bytes = [[0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];

    public static byte[] Render(JsonNode json)
    {
        var text = json.ToJsonString();
        text = RawMarker().Replace(text, m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value)));
        var bytes = Encoding.UTF8.GetBytes(text);
        var marker = BadUtf8Marker().Match(text);
        if (!marker.Success)
        {
            return bytes;
        }

        // Splice the invalid bytes in place of the marker (inside the quotes that surround it).
        var prefix = Encoding.UTF8.GetByteCount(text[..marker.Index]);
        var markerBytes = Encoding.UTF8.GetByteCount(marker.Value);
        return [.. bytes[..prefix], .. BadUtf8Bytes[int.Parse(marker.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) % BadUtf8Bytes.Length], .. bytes[(prefix + markerBytes)..]];
    }

    [GeneratedRegex("\"@@RAW:([A-Za-z0-9+/=]*)@@\"")]
    private static partial Regex RawMarker();

    [GeneratedRegex("@@BADUTF8:([0-9]+)@@")]
    private static partial Regex BadUtf8Marker();

    // ---- Values ----

    public static readonly string[] LoneSurrogates = ["\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"", "\"\\udfff\\ud800\"", "\"\\ud800\\u0041\"", "\"x\\udbff\""];

    public static readonly string[] HugeNumbers =
        ["1e400", "-1e400", "99999999999999999999999999999", "-99999999999999999999", "1.7976931348623157e309", "1e-400", "9223372036854775808",
         "-9223372036854775809", "4294967296", "2147483648", "1.5", "-0", "1E+2", "0.1e1", "123456789012345678901234567890.123"];

    public static readonly string[] NotJsonNumbers = ["NaN", "Infinity", "-Infinity", "0x10", "01", "+1", ".5", "1.", "1e", "--1"];

    public static Gen<string> Nesting { get; } = Gen.Select(Gen.Int[17, 3000], Gen.Bool, (depth, arrays) => arrays
        ? new string('[', depth) + new string(']', depth)
        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));

    /// <summary>A JSON value that no scalar field of ours accepts: lone surrogates, numbers where text goes, nesting, wrong types.</summary>
    public static Gen<string> HostileScalar { get; } = Gen.Frequency<string>(
        (4, Gen.OneOf(LoneSurrogates)),
        (3, Gen.OneOf(HugeNumbers)),
        (1, Gen.OneOf(NotJsonNumbers)),
        (2, Nesting),
        (1, Gen.OneOf("true", "false", "[]", "[\"a\"]", "{}", "{\"a\":\"b\"}")));

    /// <summary>Text no free-text field takes (names, comments): control characters, or longer than any such field.</summary>
    public static Gen<string> ControlText { get; } = Gen.OneOf<string>(
        Gen.OneOf("a\u0000b", "\u0007", "\t", "\r\n", "\u001b[31m", "\u0085", "Anna\u0001"),
        Gen.Int[1, 40].Select(n => new string('\u0001', n)),
        Gen.Int[256, 3000].Select(n => new string('x', n)));

    /// <summary>Text no key-like field takes (references, providers, currencies, amounts, URLs): reserved key characters, control characters, huge.</summary>
    public static Gen<string> NastyText { get; } = Gen.OneOf<string>(
        Gen.OneOf("SO/1", "SO\\1", "SO#1", "SO?1", "a\u0000b", "\u0007", "\t", "\r\n", "\u001b[31m", "\u0085"),
        Gen.Int[1, 40].Select(n => new string('\u0001', n)),
        Gen.Int[256, 3000].Select(n => new string('x', n)),
        Gen.Int[1, 20].Select(n => string.Concat(Enumerable.Repeat("/..", n))));

    /// <summary>Not a JSON object at all.</summary>
    public static Gen<byte[]> NotAnObject { get; } = Gen.Frequency<byte[]>(
        (3, Gen.OneOf("", " ", "\r\n", "[]", "[1,2]", "\"text\"", "1", "null", "true", "{", "}", "{\"a\"", "{\"a\":}", "{'a':1}", "{a:1}", "{\"a\":1,}",
            "{\"a\":1}{", "/* c */{}", "{\"a\":1 // c\n}", "\ufeff[]", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"line\nbreak\"}")
            .Select(s => Encoding.UTF8.GetBytes(s))),
        (2, Gen.Byte.Array[1, 300]),
        (1, Nesting.Select(s => Encoding.UTF8.GetBytes(s))),
        (1, Gen.OneOf(LoneSurrogates).Select(s => Encoding.UTF8.GetBytes(s))));

    // ---- Headers, media types, framing ----

    public static readonly string[] NotJsonMediaTypes =
    [
        "application/jsonx", "application/json-seq", "application/jsonp", "application/json5", "application/+json", "application/x+jsonx",
        "text/json", "text/plain", "text/html", "application/xml", "multipart/form-data; boundary=x", "application/octet-stream",
        "application/json; charset=utf-16", "application/json; charset=latin1", "application/json; charset=\"utf-32\"", "json", "application",
        "application/", "/json", "*/*", ";", "application/json;;;", "\"application/json\"", "application/json+",
    ];

    public static Gen<string> BadMediaType { get; } = Gen.Frequency<string>(
        (6, Gen.OneOf(NotJsonMediaTypes)),
        (1, Gen.Int[1, 4000].Select(n => "application/" + new string('j', n))));

    public static readonly string[] AcceptHeaders = ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/plain", "image/png", "*/*", "application/json", "application/xml", "", "garbage;;q=x"];

    /// <summary>Chunk-size lines that overflow or are not hex.</summary>
    public static readonly string[] BadChunkSizes =
        ["ffffffffffffffffff", "10000000000000000", "7fffffffffffffffffffffff", "ffffffffffffffffffffffffffffffffffffffff", "zz", "-1", "0x10", " ", "1 2", "g"];

    /// <summary>A key that cannot be an idempotency key (or table key).</summary>
    public static Gen<string> BadIdempotencyKey { get; } = Gen.Frequency<string>(
        (3, Gen.OneOf("SO/1", "SO\\1", "SO#1", "SO?1", "a\tb", "a/b/c", "../x")),
        (1, Gen.Int[256, 6000].Select(n => new string('k', n))));

    /// <summary>
    /// A header of up to 6 KiB that does nothing. Every generated request stays within Kestrel's limits (32 KiB of
    /// headers, 8 KiB of request line): beyond them Kestrel itself answers (431, 414) before the app sees the request.
    /// </summary>
    public static Gen<(string, string)> PadHeader { get; } = Gen.Select(Gen.Int[1, 6 * 1024], Gen.Int[0, 2], (n, name) =>
        (new[] { "X-Pad", "User-Agent", "X-Forwarded-For" }[name], new string('p', n)));

    /// <summary>Ids that are not ids: wrong shape, reserved characters (escaped), unicode, long, dots.</summary>
    public static Gen<string> BadId { get; } = Gen.Frequency<string>(
        (3, Gen.OneOf("x", "ord_", "ord_1", "ord_0000000000000000000000000000000", "ord_0000000000000000000000000000000g", "ORD_0000000000000000000000000000000F",
            "ord_00000000000000000000000000000000f", "%2e%2e", "%2F", "a%2Fb", "%01", "%ED%A0%80", "%FF", "%C3%28", "..", "ord_%0A", "%E2%80%AE", "null", "undefined",
            "%7B%7D", "ord_0000000000000000000000000000000f%3F", "ord_0000000000000000000000000000000f%23")),
        (1, Gen.Int[100, 1500].Select(n => new string('9', n))),
        (1, Gen.Char['!', '~'].Array[1, 60].Select(cs => Uri.EscapeDataString(new string(cs)))));

    /// <summary>A valid-looking id of an order that does not exist.</summary>
    public static Gen<string> MissingOrderId { get; } = Gen.Long.Select(n => "ord_" + n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "0000000000000000");

    // ---- Composition ----

    /// <summary>One or more poisons (at least one), plus any noise, applied to the base request.</summary>
    public static Gen<Probe> Requests(Draft baseline, Gen<Mutation> poison, Gen<Mutation> noise) =>
        Gen.Select(poison.Array[1, 3], noise.Array[0, 3], (poisons, noises) =>
        {
            var draft = baseline;
            foreach (var m in poisons.Concat(noises))
            {
                draft = m.Apply(draft);
            }

            return (draft with { Why = string.Join(" + ", poisons.Select(p => p.Why)) }).ToProbe();
        });

    public static Gen<Mutation> Noise { get; } = Gen.OneOf<Mutation>(
        Gen.OneOf(AcceptHeaders).Select(a => new Mutation("accept " + a, d => d.WithHeader("Accept", a))),
        PadHeader.Select(h => new Mutation($"{h.Item1} {h.Item2.Length} chars", d => d.WithHeader(h.Item1, h.Item2))),
        Gen.OneOf("?a=%FF", "?%00=%00", "?a=1&a=2&a=3", "?" + new string('q', 900), "?x=%ED%A0%80", "?provider=", "?cancel", "?%01=%1F").Select(q =>
            new Mutation("query " + q[..Math.Min(q.Length, 20)], d => d with { Target = d.Target + (d.Target.Contains('?', StringComparison.Ordinal) ? "&" + q[1..] : q) })));

    /// <summary>Poisons for the transport, valid for any endpoint that reads a body.</summary>
    public static Gen<Mutation> BrokenChunking { get; } = Gen.OneOf(BadChunkSizes).Select(size =>
        new Mutation("chunk size " + size, d => d with { Chunking = size }));

    public static Gen<Mutation> WrongApiKey(string key) => Gen.OneOf<Mutation>(
        Gen.Const(new Mutation("no api key", d => d.WithoutHeader("X-Api-Key"))),
        Gen.OneOf(key + "x", key.ToUpperInvariant(), key[..^1], "x" + key, "", "null", key + "\tx", key + "," + key).Select(k => new Mutation("wrong api key", d => d.WithHeader("X-Api-Key", k))),
        Gen.Int[1000, 6000].Select(n => new Mutation($"api key of {n} chars", d => d.WithHeader("X-Api-Key", new string('k', n)))));

    public static Gen<Mutation> BadContentType { get; } = Gen.Frequency<Mutation>(
        (8, BadMediaType.Select(t => new Mutation("content-type " + t[..Math.Min(t.Length, 40)], d => d with { ContentType = t }))),
        (1, Gen.Const(new Mutation("no content-type", d => d with { ContentType = null }))));

    public static Gen<Mutation> BadKeyHeader { get; } = BadIdempotencyKey.Select(k =>
        new Mutation($"idempotency key '{k[..Math.Min(k.Length, 12)]}' ({k.Length})", d => d.WithHeader("Idempotency-Key", k)));

    /// <summary>Poisons of the body as text: not an object, truncated, duplicated properties, invalid UTF-8, too large.</summary>
    public static Gen<Mutation> BrokenBody(int limit) => Gen.OneOf<Mutation>(
        NotAnObject.Select(b => new Mutation("not an object", d => d with { RawBody = b, Json = null })),
        Gen.Int[1, 10_000].Select(cut => new Mutation("truncated", d =>
        {
            var bytes = d.RawBody ?? (d.Json is null ? [] : Render(d.Json));
            return bytes.Length < 2 ? d with { RawBody = "{"u8.ToArray() } : d with { RawBody = bytes[..(1 + (cut % (bytes.Length - 1)))], Json = null };
        })),
        Gen.OneOf("{\"x\":1,", "{\"items\":null,\"items\":null,", "{\"__proto__\":{},", "{\"$where\":\"1\",").Select(prefix => new Mutation("prefixed " + prefix, d =>
        {
            var bytes = d.RawBody ?? (d.Json is null ? "{}"u8.ToArray() : Render(d.Json));
            return d with { RawBody = [.. Encoding.UTF8.GetBytes(prefix), .. bytes.Length > 1 ? bytes[1..] : "}"u8.ToArray()], Json = null };
        })),
        Gen.Int[0, 7].Select(which => new Mutation("invalid UTF-8", d => d.Edit(o => o["x_bytes"] = BadUtf8(which)))),
        Gen.Int[limit + 1, limit + 70_000].Select(n => new Mutation($"a body of over {limit} bytes", d => d.Edit(o => o["metadata"] = new JsonObject { ["pad"] = new string('x', n) }))));

    /// <summary>
    /// Sets a (possibly nested) property of the body, by a path like "items.0.quantity". Where an earlier change left
    /// no such place (items replaced by an object, fewer items), the path is made afresh.
    /// </summary>
    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        JsonNode parent = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            if (int.TryParse(parts[i], out var index))
            {
                var array = parent.AsArray();
                while (array.Count <= index)
                {
                    array.Add(null);
                }

                if (last)
                {
                    array[index] = value;
                    return;
                }

                parent = array[index] is { } existing && Fits(existing, parts[i + 1]) ? existing : (array[index] = Container(parts[i + 1]))!;
            }
            else
            {
                var obj = parent.AsObject();
                if (last)
                {
                    obj[parts[i]] = value;
                    return;
                }

                parent = obj[parts[i]] is { } existing && Fits(existing, parts[i + 1]) ? existing : (obj[parts[i]] = Container(parts[i + 1]))!;
            }
        }
    }

    private static bool Fits(JsonNode node, string next) => int.TryParse(next, out _) ? node is JsonArray : node is JsonObject;

    private static JsonNode Container(string next) => int.TryParse(next, out _) ? new JsonArray() : new JsonObject();

    /// <summary>A hostile scalar (see <see cref="HostileScalar"/>) in one of the given fields, which take strings or integers.</summary>
    public static Gen<Mutation> HostileField(params string[] fields) =>
        Gen.Select(Gen.OneOf(fields), HostileScalar, (field, value) => new Mutation($"{field} = {(value.Length > 30 ? value[..30] + "…" : value)}",
            d => d.Edit(o => Set(o, field, Raw(value)))));

    /// <summary>An unknown property, somewhere in the body.</summary>
    public static Gen<Mutation> UnknownProperty(params string[] objects) =>
        Gen.Select(Gen.OneOf(objects), Gen.Char['a', 'z'].Array[1, 12], (obj, name) => new Mutation($"unknown property {obj}.zz_{new string(name)}",
            d => d.Edit(o =>
            {
                var target = (obj == "$" ? o : o[obj] as JsonObject) ?? o;
                target["zz_" + new string(name)] = 1;
            })));
}
