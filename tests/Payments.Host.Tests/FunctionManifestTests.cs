using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Payments.Host.Tests;

/// <summary>
/// The Functions host only proxies what a function.json declares. These tests hold the manifests and the
/// server's endpoints to each other, so nothing deployed is unreachable and nothing reachable is undeployed.
/// </summary>
public class FunctionManifestTests
{
    private static readonly string FunctionsDir = Path.Combine(RepoFiles.Root(), "src", "Payments.Host", "functions");

    public sealed record Manifest(string Name, string TriggerType, string? Route, IReadOnlyList<string> Methods, JsonElement Trigger);

    public static IReadOnlyList<Manifest> Manifests() =>
        Directory.GetDirectories(FunctionsDir).Order(StringComparer.Ordinal).Select(dir =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "function.json")));
            var bindings = doc.RootElement.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToList();
            var trigger = bindings.Single(b => b.GetProperty("direction").GetString() == "in" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            var methods = trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList() : [];
            var route = trigger.TryGetProperty("route", out var r) ? r.GetString() : null;
            return new Manifest(Path.GetFileName(dir), trigger.GetProperty("type").GetString()!, route, methods, trigger);
        }).ToList();

    [Fact]
    public void Every_http_function_has_exactly_one_httpTrigger_in_and_one_http_out_so_requests_are_proxied_raw()
    {
        foreach (var dir in Directory.GetDirectories(FunctionsDir))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "function.json")));
            var bindings = doc.RootElement.GetProperty("bindings").EnumerateArray().ToList();
            if (!bindings.Any(b => b.GetProperty("type").GetString() == "httpTrigger"))
            {
                continue;
            }

            Assert.Equal(2, bindings.Count);
            Assert.Single(bindings, b => b.GetProperty("type").GetString() == "httpTrigger" && b.GetProperty("direction").GetString() == "in");
            Assert.Single(bindings, b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "out");
        }
    }

    [Fact]
    public void Every_function_reaches_an_endpoint_and_every_endpoint_has_a_function()
    {
        var endpoints = DeployedEndpoints();
        var declared = new HashSet<(string Method, string Route)>();
        foreach (var manifest in Manifests())
        {
            if (manifest.TriggerType == "httpTrigger")
            {
                Assert.False(string.IsNullOrEmpty(manifest.Route), $"{manifest.Name} has no route");
                Assert.NotEmpty(manifest.Methods);
                foreach (var method in manifest.Methods)
                {
                    var key = (method, Normalize("/api/" + manifest.Route));
                    Assert.True(endpoints.Contains(key), $"{manifest.Name}: {method} {key.Item2} reaches no endpoint");
                    declared.Add(key);
                }
            }
            else
            {
                // The host POSTs non-HTTP invocations to /{FunctionName}.
                var key = ("POST", Normalize("/" + manifest.Name));
                Assert.True(endpoints.Contains(key), $"{manifest.Name}: the {manifest.TriggerType} has no POST /{manifest.Name} endpoint");
                declared.Add(key);
            }
        }

        var undeclared = endpoints.Except(declared).Select(e => $"{e.Method} {e.Route}").ToList();
        Assert.True(undeclared.Count == 0, "endpoints without a function.json: " + string.Join(", ", undeclared));
    }

    [Fact]
    public void Host_json_proxies_http_requests_to_the_handler_under_the_api_prefix()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoFiles.Root(), "host.json")));
        var handler = doc.RootElement.GetProperty("customHandler");
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.Equal("Payments.Host", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("api", doc.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", doc.RootElement.GetProperty("extensionBundle").GetProperty("id").GetString());
    }

    [Fact]
    public void Trigger_routes_are_served_only_under_the_Functions_host()
    {
        var standalone = Endpoints(underFunctionsHost: false);
        var deployed = DeployedEndpoints();
        var triggers = Manifests().Where(m => m.TriggerType != "httpTrigger").Select(m => ("POST", Normalize("/" + m.Name))).ToList();
        Assert.NotEmpty(triggers);
        Assert.All(triggers, t => Assert.Contains(t, deployed));
        Assert.All(triggers, t => Assert.DoesNotContain(t, standalone));
    }

    [Fact]
    public void Service_bus_triggers_use_the_identity_based_connection_and_timers_a_six_field_schedule()
    {
        foreach (var manifest in Manifests().Where(m => m.TriggerType != "httpTrigger"))
        {
            var trigger = manifest.Trigger;
            switch (manifest.TriggerType)
            {
                case "serviceBusTrigger":
                    Assert.Equal("message", trigger.GetProperty("name").GetString());
                    Assert.Equal("ServiceBusConnection", trigger.GetProperty("connection").GetString());
                    Assert.True(trigger.TryGetProperty("queueName", out _) ^ trigger.TryGetProperty("topicName", out _), $"{manifest.Name}: a queue or a topic");
                    Assert.Equal(trigger.TryGetProperty("topicName", out _), trigger.TryGetProperty("subscriptionName", out _));
                    break;
                case "timerTrigger":
                    Assert.Equal("timer", trigger.GetProperty("name").GetString());
                    Assert.Equal(6, trigger.GetProperty("schedule").GetString()!.Split(' ').Length);
                    break;
                default:
                    Assert.Fail($"{manifest.Name}: unexpected trigger {manifest.TriggerType}");
                    break;
            }
        }
    }

    /// <summary>
    /// (METHOD, normalised route) of every endpoint the deployed app serves, without the sandbox and the host's probe:
    /// built as the Functions host starts it (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set), so the trigger routes are there.
    /// </summary>
    private static HashSet<(string Method, string Route)> DeployedEndpoints() => Endpoints(underFunctionsHost: true);

    private static HashSet<(string Method, string Route)> Endpoints(bool underFunctionsHost)
    {
        var app = PaymentsApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = underFunctionsHost ? "51234" : null,
            ["Sandbox:Enabled"] = "false",
            ["Security:SigningKey"] = new string('k', 40),
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["PublicBaseUrl"] = "https://pay.example",
        }));
        var result = new HashSet<(string, string)>();
        foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            var route = Normalize(endpoint.RoutePattern.RawText!);
            if (route == "/" || route.StartsWith("/sandbox/", StringComparison.Ordinal))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods
                ?? throw new InvalidOperationException($"{route} accepts every method; declare them");
            foreach (var method in methods)
            {
                result.Add((method.ToUpperInvariant(), route));
            }
        }

        return result;
    }

    /// <summary>"/api/orders/{orderId:guid}/" → "/api/orders/{orderid}": literals and parameter names, no constraints.</summary>
    private static string Normalize(string template)
    {
        var pattern = RoutePatternFactory.Parse(template.StartsWith('/') ? template : "/" + template);
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternParameterPart pp => "{" + pp.Name + "}",
            RoutePatternSeparatorPart sp => sp.Content,
            _ => throw new InvalidOperationException(),
        })));
        return ("/" + string.Join('/', segments)).ToLowerInvariant();
    }
}
