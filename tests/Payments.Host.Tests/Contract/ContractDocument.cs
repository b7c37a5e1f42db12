namespace Payments.Host.Tests.Contract;

/// <summary>One documented response: an operation of <c>openapi/payments-v1.json</c> and one of its statuses.</summary>
public readonly record struct DocumentedResponse(string OperationId, string Method, string Path, int Status)
{
    public override string ToString() => $"{OperationId} ({Method} {Path}) {Status}";
}

/// <summary>
/// The committed OpenAPI document, read as the contract the running app is held to: which operation a request hit, and
/// whether what the app answered is one of that operation's documented statuses, in a documented media type, with a body
/// that validates against the schema of that status and, for a problem, a problem type listed for it.
/// </summary>
public sealed class ContractDocument
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private readonly List<(string Method, string[] Segments, string Path, JsonObject Operation)> _operations = [];
    private readonly SchemaCheck _schemas;

    private ContractDocument(JsonObject document)
    {
        _schemas = new SchemaCheck(document["components"]?["schemas"] as JsonObject ?? []);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods)
            {
                if (item![method] is JsonObject operation)
                {
                    _operations.Add((method.ToUpperInvariant(), path.Trim('/').Split('/'), path, operation));
                }
            }
        }
    }

    public static ContractDocument Committed { get; } = new(
        JsonNode.Parse(File.ReadAllText(RepoFiles.OpenApiDocument))!.AsObject());

    /// <summary>Every operation and status the document lists.</summary>
    public IEnumerable<DocumentedResponse> Responses =>
        from o in _operations
        from status in o.Operation["responses"]!.AsObject()
        select new DocumentedResponse(OperationId(o.Operation), o.Method, o.Path, int.Parse(status.Key, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The operation a request to <paramref name="path"/> hits, or null when the document does not cover it (sandbox, trigger routes, ...).</summary>
    public (string OperationId, string Path, JsonObject Operation)? Find(string method, string path)
    {
        var segments = path.Trim('/').Split('/');
        foreach (var o in _operations)
        {
            if (o.Method == method && o.Segments.Length == segments.Length
                && o.Segments.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.Ordinal)))
            {
                return (OperationId(o.Operation), o.Path, o.Operation);
            }
        }

        return null;
    }

    /// <summary>What is wrong with a response to an operation; empty when it is as documented.</summary>
    public List<string> Check(JsonObject operation, HttpStatusCode status, string? mediaType, string body)
    {
        var code = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation["responses"]?[code] is not JsonObject response)
        {
            return [$"status {code} is not documented"];
        }

        var content = response["content"] as JsonObject;
        if (content is null || content.Count == 0)
        {
            return body.Length == 0 ? [] : [$"status {code} documents no body, but one came ({mediaType})"];
        }

        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return [$"status {code} answered {mediaType ?? "no media type"}; documented: {string.Join(", ", content.Select(c => c.Key))}"];
        }

        if (!mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return [];
        }

        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return [$"status {code}: the {mediaType} body is not JSON ({ex.Message})"];
        }

        var errors = _schemas.Check(media["schema"], json);
        if (response["x-problem-types"] is JsonArray problemTypes && json?["type"]?.GetValue<string>() is { } type
            && !problemTypes.Any(t => t!.GetValue<string>() == type))
        {
            errors.Add($"problem type {type} is not listed for status {code} (listed: {problemTypes.ToJsonString()})");
        }

        return errors;
    }

    private static string OperationId(JsonObject operation) => operation["operationId"]?.GetValue<string>() ?? "(no operationId)";
}
