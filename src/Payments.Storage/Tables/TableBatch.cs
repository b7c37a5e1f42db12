using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Payments.Storage.Tables;

/// <summary>
/// Builds and parses the <c>multipart/mixed</c> bodies of an entity-group transaction (<c>POST /$batch</c>):
/// one batch part holding one changeset whose parts are the operations, each an embedded HTTP request with
/// an absolute URL. Lines end in CRLF. Azurite finds each operation's JSON body with a single-line match, so
/// bodies are written without line breaks (System.Text.Json's compact output).
/// </summary>
internal static class TableBatch
{
    public const int MaxActions = 100;
    public const int MaxPayloadBytes = 4 * 1024 * 1024;

    private const string Crlf = "\r\n";

    /// <summary>The request body; <paramref name="entityBaseUri"/> is the table endpoint (no trailing slash).</summary>
    public static byte[] BuildBody(
        string entityBaseUri,
        string tableName,
        IReadOnlyList<TableTransactionAction> actions,
        string batchBoundary,
        string changesetBoundary)
    {
        var sb = new StringBuilder(1024);
        sb.Append("--").Append(batchBoundary).Append(Crlf);
        sb.Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append(Crlf);
        sb.Append(Crlf);

        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var entity = action.Entity;
            var (method, hasBody, ifMatch) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", true, null),
                TableTransactionActionType.UpdateReplace => ("PUT", true, action.ETag ?? "*"),
                TableTransactionActionType.UpdateMerge => ("MERGE", true, action.ETag ?? "*"),
                TableTransactionActionType.UpsertReplace => ("PUT", true, (string?)null),
                TableTransactionActionType.UpsertMerge => ("MERGE", true, null),
                TableTransactionActionType.Delete => ("DELETE", false, action.ETag ?? "*"),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown transaction action."),
            };

            var url = action.ActionType == TableTransactionActionType.Add
                ? $"{entityBaseUri}/{tableName}"
                : $"{entityBaseUri}/{TableClient.EntityPath(tableName, entity.PartitionKey, entity.RowKey)}";

            sb.Append("--").Append(changesetBoundary).Append(Crlf);
            sb.Append("Content-Type: application/http").Append(Crlf);
            sb.Append("Content-Transfer-Encoding: binary").Append(Crlf);
            sb.Append(Crlf);
            sb.Append(method).Append(' ').Append(url).Append(" HTTP/1.1").Append(Crlf);
            sb.Append("Content-ID: ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(Crlf);
            sb.Append("Accept: ").Append(TableHeaders.JsonMinimalMetadata).Append(Crlf);
            sb.Append(TableHeaders.DataServiceVersion).Append(": 3.0;").Append(Crlf);
            if (ifMatch is not null)
            {
                sb.Append("If-Match: ").Append(ifMatch).Append(Crlf);
            }

            if (hasBody)
            {
                sb.Append("Prefer: ").Append(TableHeaders.ReturnNoContent).Append(Crlf);
                sb.Append("Content-Type: application/json").Append(Crlf);
                sb.Append(Crlf);
                sb.Append(Encoding.UTF8.GetString(EdmValues.Serialize(entity))).Append(Crlf);
            }
            else
            {
                sb.Append(Crlf);
            }
        }

        sb.Append("--").Append(changesetBoundary).Append("--").Append(Crlf);
        sb.Append("--").Append(batchBoundary).Append("--").Append(Crlf);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>One embedded response of a batch response.</summary>
    public sealed record Part(HttpStatusCode StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }

    /// <summary>
    /// Parses a batch response body: the outer boundary comes from <paramref name="contentType"/>, the inner
    /// (changeset) boundary from the first part's Content-Type. Tolerates LF-only line ends.
    /// </summary>
    public static IReadOnlyList<Part> ParseResponse(string contentType, string body)
    {
        var batchBoundary = Boundary(contentType)
            ?? throw new TableStorageException("The $batch response has no multipart boundary.");
        var parts = new List<Part>();
        foreach (var outer in SplitParts(body, batchBoundary))
        {
            var (outerHeaders, outerBody) = SplitHeaders(outer);
            var innerBoundary = outerHeaders.TryGetValue("Content-Type", out var ct) ? Boundary(ct) : null;
            if (innerBoundary is null)
            {
                // A response that is not a changeset (e.g. a whole-batch error) is one embedded HTTP response.
                parts.Add(ParseHttp(outerBody));
                continue;
            }

            foreach (var inner in SplitParts(outerBody, innerBoundary))
            {
                var (_, http) = SplitHeaders(inner);
                parts.Add(ParseHttp(http));
            }
        }

        return parts;
    }

    /// <summary>
    /// The 0-based index of the failed action: the service prefixes the error message with "index:"
    /// (Azure and Azurite alike); failing that, the Content-ID we sent (index + 1) when it is echoed.
    /// </summary>
    public static int? FailedIndex(Part part, int actionCount)
    {
        var (_, message) = ParseError(part.Body);
        if (message is not null)
        {
            var colon = message.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index >= 0 && index < actionCount)
            {
                return index;
            }
        }

        if (part.Header("Content-ID") is { } id && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var contentId)
            && contentId >= 1 && contentId <= actionCount)
        {
            return contentId - 1;
        }

        return actionCount == 1 ? 0 : null;
    }

    /// <summary>The <c>odata.error</c> code and message of an error body (nulls when it has none).</summary>
    public static (string? Code, string? Message) ParseError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("odata.error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? message = null;
                if (error.TryGetProperty("message", out var m))
                {
                    message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString()
                        : m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                }

                return (code, message);
            }
        }
        catch (JsonException)
        {
        }

        return (null, null);
    }

    internal static string? Boundary(string contentType)
    {
        foreach (var piece in contentType.Split(';', StringSplitOptions.TrimEntries))
        {
            if (piece.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))
            {
                return piece["boundary=".Length..].Trim('"');
            }
        }

        return null;
    }

    private static IEnumerable<string> SplitParts(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var segments = body.Split(delimiter, StringSplitOptions.None);

        // segments[0] is the preamble; a segment starting with "--" is the close delimiter and what follows it.
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.StartsWith("--", StringComparison.Ordinal))
            {
                yield break;
            }

            yield return segment.TrimStart('\r', '\n');
        }
    }

    private static (Dictionary<string, string> Headers, string Remainder) SplitHeaders(string text)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var position = 0;
        while (position < text.Length)
        {
            var end = text.IndexOf('\n', position);
            if (end < 0)
            {
                end = text.Length;
            }

            var line = text[position..end].TrimEnd('\r');
            position = Math.Min(end + 1, text.Length);
            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return (headers, text[position..]);
    }

    private static Part ParseHttp(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var statusLine = (newline < 0 ? text : text[..newline]).TrimEnd('\r');
        var pieces = statusLine.Split(' ', 3);
        if (pieces.Length < 2 || !pieces[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new TableStorageException("The $batch response has a part without an HTTP status line.");
        }

        var (headers, body) = SplitHeaders(newline < 0 ? string.Empty : text[(newline + 1)..]);
        return new Part((HttpStatusCode)status, headers, body.Trim());
    }
}
