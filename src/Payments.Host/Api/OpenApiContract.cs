using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Core.Orders;
using Payments.Host.Charges;
using Payments.Host.Customers;
using Payments.Host.Hosting;
using Payments.Host.Orders;
using Scalar.AspNetCore;

namespace Payments.Host.Api;

/// <summary>
/// The OpenAPI 3.1 contract (<c>openapi/payments-v1.json</c>), generated from endpoint metadata: typed results give
/// the success bodies, <see cref="ProblemTypesMetadata"/> the problem answers, <see cref="JsonBodyMetadata"/> the
/// request bodies. Only <c>/api</c> routes: the trigger routes (<c>/{FunctionName}</c>) and the sandbox stay out.
/// </summary>
public static partial class OpenApiContract
{
    public const string DocumentName = "v1";
    public const string DocumentRoute = "/api/openapi/{documentName}.json";
    public const string ReferenceRoute = "/api/reference";
    public const string ApiKeyScheme = "apiKey";
    public const string FunctionKeyScheme = "functionKey";
    public const string ProblemJson = "application/problem+json";

    /// <summary>
    /// Requires the API key and says so in the contract. The filter is the app's one <see cref="ApiKeyFilter"/> (a
    /// singleton): <c>AddEndpointFilter&lt;T&gt;</c> would compile an activation expression for each endpoint when the
    /// endpoints are first built, on the first request.
    /// </summary>
    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilterFactory((context, next) =>
        {
            var filter = context.ApplicationServices.GetRequiredService<ApiKeyFilter>();
            return invocation => filter.InvokeAsync(invocation, next);
        });
        group.WithMetadata(new ApiKeyRequiredMetadata());
        return group;
    }

    /// <summary>Documents the problem answers of one status (slugs without the prefix).</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, int statusCode, params string[] types) =>
        builder.ProducesProblem(statusCode, ProblemJson).WithMetadata(new ProblemTypesMetadata(statusCode, types));

    /// <summary>The 400/413/415 answers of an endpoint that reads a JSON body.</summary>
    public static RouteHandlerBuilder ReadsJson<T>(this RouteHandlerBuilder builder, bool required = true, bool idempotencyKey = false)
    {
        builder.WithMetadata(new JsonBodyMetadata(typeof(T), required));
        if (idempotencyKey)
        {
            builder.WithMetadata(new IdempotencyKeyMetadata());
        }

        return builder
            .ProducesProblems(StatusCodes.Status400BadRequest, idempotencyKey
                ? ["validation-failed", "malformed-json", "invalid-header", "bad-request"]
                : ["validation-failed", "malformed-json", "bad-request"])
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, "body-too-large")
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type");
    }

    public static IServiceCollection AddPaymentsOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => d.RelativePath is { } path && path.StartsWith("api/", StringComparison.Ordinal)
                && !path.StartsWith("api/openapi", StringComparison.Ordinal);
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Payments API",
                    Version = "1.0.0",
                    Description = "Opens payments at NEXT, Twisto, Mangopay and Neuro-Pay, and follows them to the end. "
                        + "Errors are RFC 9457 problem details (application/problem+json) whose `type` is `urn:payments:problem:<slug>`; "
                        + "clients switch on `type`. Every response that names storage trouble (`storage-unavailable`, 503) or a busy "
                        + "order (`order-busy`, 409) carries `Retry-After`: send the same request again.",
                    License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
                    Contact = new OpenApiContact { Name = "Payments team" },
                };
                document.Servers = [new OpenApiServer { Url = "/", Description = "This deployment (the Functions host's routePrefix is api)" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
                {
                    [ApiKeyScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = ApiKeyFilter.Header,
                        Description = "Standalone runs: one of Api:Keys (no key is needed when none is configured).",
                    },
                    [FunctionKeyScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = "x-functions-key",
                        Description = "In Azure: a function key of the app (or as the `code` query parameter).",
                    },
                };
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = "Orders", Description = "Payments: open, read, capture, refund, cancel." },
                    new() { Name = "Charges", Description = "Follow-up charges: upsells and recurring charges." },
                    new() { Name = "Customers", Description = "Saved customers (Neuro-Pay)." },
                    new() { Name = "Callbacks", Description = "Where shoppers and providers come back." },
                    new() { Name = "Health", Description = "Liveness and readiness." },
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(TransformOperationAsync);
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(ProblemDetails))
                {
                    DocumentProblemExtensions(schema);
                }

                // Responses leave out null members (WhenWritingNull): a member that may be null is not required.
                if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
                {
                    foreach (var (member, property) in properties)
                    {
                        if (MayBeNull(property))
                        {
                            required.Remove(member);
                        }
                    }

                    foreach (var member in context.JsonTypeInfo.Properties.Where(p => p.IsGetNullable && !p.PropertyType.IsValueType || Nullable.GetUnderlyingType(p.PropertyType) is not null))
                    {
                        required.Remove(member.Name);
                    }
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// The extension members our problems carry (RFC 9457 §3.2), so that a client can rely on them and the contract tests
    /// can hold every problem body to the document: <c>traceId</c> on every problem, the others where the problem type says.
    /// </summary>
    private static void DocumentProblemExtensions(OpenApiSchema schema)
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["traceId"] = Text("The request's W3C trace id (traceparent form): quote it to support.");
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "validation-failed and invalid-header: what is wrong, by field or header name.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        schema.Properties["provider"] = Text("Provider problems and unsupported-capability: the provider concerned.");
        schema.Properties["capability"] = Text("unsupported-capability: the operation the provider does not offer.");
        schema.Properties["orderId"] = Text("The order concerned (idempotency, order-busy, refund-in-progress, provider problems).");
        schema.Properties["orderStatus"] = Text("invalid-state, order-abandoned and provider problems: the order's status now.");
        schema.Properties["refundId"] = Text("refund-in-progress: the refund in flight.");
        schema.Properties["chargeId"] = Text("idempotency-key-reused on a charge: the charge the key belongs to.");
        schema.Properties["checks"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Health: each dependency's state.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String },
        };
    }

    /// <summary>The document at <c>/api/openapi/v1.json</c>; the Scalar reference only in standalone runs (never in Azure, like the sandbox).</summary>
    public static WebApplication MapPaymentsOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentRoute).WithName("OpenApiDocument");
        if (ScalarEnabled(app.Configuration))
        {
            app.MapScalarApiReference(ReferenceRoute, o => o
                .WithTitle("Payments API")

                // Everything the page needs comes from this app: no fonts (or anything else) from a third party.
                .DisableDefaultFonts()
                .WithOpenApiRoutePattern(DocumentRoute.Replace("{documentName}", DocumentName, StringComparison.Ordinal)));
        }

        return app;
    }

    /// <summary>The API reference page: standalone only (not under the Functions host, and never in Azure).</summary>
    public static bool ScalarEnabled(IConfiguration configuration) =>
        !FunctionsHost.IsInAzure(configuration) && !ServiceRegistration.UnderFunctionsHost(configuration);

    private static async Task TransformOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var name = metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
        var method = context.Description.HttpMethod ?? "GET";

        // GET|POST endpoints appear under both methods; operation ids must be unique.
        var multiMethod = metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods.Count > 1;
        if (name is not null)
        {
            operation.OperationId = multiMethod ? name + Pascal(method) : name;
            if (Operations.TryGetValue(name, out var doc))
            {
                operation.Tags = new HashSet<OpenApiTagReference> { new(doc.Tag, context.Document) };
                operation.Summary = multiMethod ? $"{doc.Summary} ({method})" : doc.Summary;
                operation.Description = doc.Description;
            }
        }

        operation.Security = metadata.OfType<ApiKeyRequiredMetadata>().Any()
            ? [Requirement(ApiKeyScheme, context.Document), Requirement(FunctionKeyScheme, context.Document)]
            : [];

        if (metadata.OfType<IdempotencyKeyMetadata>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKey.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = name == "CreateOrder"
                    ? "Makes the request safe to repeat; default: the body's merchantReference. At most 255 characters, without / \\ # ? or control characters."
                    : "Makes the request safe to repeat. At most 255 characters, without / \\ # ? or control characters.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyKey.MaxLength, MinLength = 1 },
            });
        }

        if (metadata.OfType<JsonBodyMetadata>().LastOrDefault() is { } body)
        {
            var schema = await context.GetOrCreateSchemaAsync(body.BodyType, null, cancellationToken);
            var id = body.BodyType.Name;
            context.Document!.AddComponent(id, schema);
            var media = new OpenApiMediaType { Schema = new OpenApiSchemaReference(id, context.Document) };
            if (name == "CreateOrder")
            {
                media.Example = CreateExample();
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = body.Required,
                Description = body.Required ? "JSON (application/json or application/*+json, UTF-8), at most 64 KiB; unknown members are refused."
                    : "Optional JSON (application/json or application/*+json, UTF-8), at most 64 KiB; an empty body takes the defaults.",
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = media },
            };
        }

        if (operation.Responses is null)
        {
            return;
        }

        // The return reads a body only from a POSTed form: a GET is never a 400 or a 413. Only Mangopay notifies with a GET,
        // and it does not sign (the providers that sign notify with POSTs): a GET notification is never a 401.
        if (name == "ShopperReturn" && HttpMethods.IsGet(method))
        {
            operation.Responses.Remove("400");
            operation.Responses.Remove("413");
        }

        if (name == "ProviderWebhook" && HttpMethods.IsGet(method))
        {
            operation.Responses.Remove("401");
        }

        foreach (var problem in metadata.OfType<ProblemTypesMetadata>())
        {
            var key = problem.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.TryGetValue(key, out var response) && response is OpenApiResponse concrete)
            {
                var types = problem.Types.Select(t => $"`{Problems.TypePrefix}{t}`");
                concrete.Description = "Problem: " + string.Join(", ", types) + ".";
                concrete.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
                concrete.Extensions["x-problem-types"] = new JsonNodeExtension(new JsonArray(problem.Types.Select(t => (JsonNode)JsonValue.Create(Problems.TypePrefix + t)).ToArray()));
                if (problem.Types.Contains("storage-unavailable") || problem.Types.Contains("order-busy") || problem.Types.Contains("refund-in-progress"))
                {
                    concrete.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal);
                    concrete.Headers["Retry-After"] = new OpenApiHeader
                    {
                        Description = "Seconds to wait before sending the same request again (with a storage-unavailable, order-busy or refund-in-progress problem).",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                    };
                }
            }
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            if (status is "200" or "201" && name is "CreateOrder" or "GetOrder" && concrete.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = OrderExample();
            }

            if (status == "201" || (status == "202" && name != "RefundOrder") || status == "303")
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal);
                concrete.Headers["Location"] = new OpenApiHeader
                {
                    Description = status == "303" ? "Where the shopper goes on: successUrl or failureUrl with ?orderId=…&status=…" : "The resource's URL.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
                };
            }

            if (string.IsNullOrEmpty(concrete.Description) || concrete.Description is "OK" or "Created" or "Accepted" or "No Content" or "See Other")
            {
                concrete.Description = (name, status) switch
                {
                    ("CreateOrder", "201") => "The order was opened; send the shopper to its redirectUrl.",
                    ("CreateOrder", "200") => "The same request again: the order it opened.",
                    ("RefundOrder", "200") => "The order, once the refund is settled (succeeded, pending or failed).",
                    ("RefundOrder", "202") => "The order while the refund is requested: being sent, or its answer lost (settled from the provider's records).",
                    (_, "202") => "The charge is queued; the order shows how it goes.",
                    (_, "204") => "Deleted.",
                    (_, "303") => "The shopper is sent on to successUrl or failureUrl.",
                    (_, "201") => "Created.",
                    _ => "OK.",
                };
            }
        }
    }

    private static bool MayBeNull(IOpenApiSchema schema) =>
        (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        || (schema.OneOf?.Any(MayBeNull) ?? false)
        || (schema.AnyOf?.Any(MayBeNull) ?? false);

    private static string Pascal(string method) => method[..1].ToUpperInvariant() + method[1..].ToLowerInvariant();

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
}
