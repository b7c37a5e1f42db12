using System.Text.Json;
using Payments.Infra.Tests.Infra;

namespace Payments.Infra.Tests;

/// <summary>
/// The consistency rules on small made-up inputs, so that a rule that passes on the real repository is known
/// to fail when something is missing (today the app has no Service Bus trigger yet, for instance).
/// </summary>
public class CheckerTests
{
    private const string Manifest = """
        { "settings": [
          { "key": "PublicBaseUrl", "required": true, "source": "resource" },
          { "key": "Security:SigningKey", "required": true, "source": "keyvault", "secret": "security-signing-key" },
          { "key": "Security:AllowedRedirectOrigins:{n}", "required": true, "source": "parameter", "parameter": "origins" },
          { "key": "ServiceBusConnection:fullyQualifiedNamespace", "required": true, "source": "resource" },
          { "key": "Providers:*:Http:*", "required": false, "source": "default" },
          { "key": "ServiceBus:InProcess:*", "required": false, "source": "standalone" },
          { "key": "Sandbox:Enabled", "required": false, "source": "never" }
        ] }
        """;

    private const string Template = """
        param origins array
        // app-settings:begin
        var core = {
          PublicBaseUrl: url
          Security__SigningKey: '${kvRef}security-signing-key)'
          ServiceBusConnection__fullyQualifiedNamespace: sb
        }
        var originSettings = toObject(range(0, length(origins)), i => 'Security__AllowedRedirectOrigins__${i}', i => origins[i])
        // app-settings:end
        // functionUrls:begin
        output functionUrls object = {
          Health: '${apiBaseUrl}/health'
        }
        // functionUrls:end
        """;

    private const string Entities = """
        { "topics": [ { "name": "payment-events", "subscriptions": [ { "name": "storefront-webhooks" } ] } ],
          "queues": [ { "name": "payment-charges" } ] }
        """;

    private const string Roles = """
        var roleIds = {
          storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
          serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
          keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
        }
        var storageRoleIds = [
          roleIds.storageBlobDataOwner
        ]
        var serviceBusRoleIds = [
          roleIds.serviceBusDataSender
        ]
        var keyVaultRoleIds = [
          roleIds.keyVaultSecretsUser
        ]
        resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
          name: storageAccountName
        }
        resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' existing = {
          name: serviceBusNamespaceName
        }
        resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
          name: keyVaultName
        }
        resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
          scope: storageAccount
          name: guid(storageAccount.id, appPrincipalId, roleId)
          properties: {
            principalId: appPrincipalId
          }
        }]
        resource serviceBusAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in serviceBusRoleIds: {
          scope: serviceBus
          properties: {
            principalId: appPrincipalId
          }
        }]
        resource keyVaultAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in keyVaultRoleIds: {
          scope: keyVault
          properties: {
            principalId: appPrincipalId
          }
        }]
        """;

    [Fact]
    public void The_made_up_inputs_are_consistent()
    {
        var manifest = AppSettingsManifest.Parse(Manifest);
        var template = new BicepTemplate(Template);
        Assert.Empty(InfraChecks.ManifestProblems(manifest, ["origins"]));
        Assert.Empty(InfraChecks.SettingsProblems(manifest, template));
        Assert.Empty(InfraChecks.FunctionUrlProblems([Http("Health", "health")], template));
        Assert.Empty(InfraChecks.BindingProblems([Http("Health", "health"), ServiceBusOut("Send", "payment-events")], template, ServiceBusEntities.Parse(Entities)));
        Assert.Empty(InfraChecks.RoleProblems(InfraChecks.RequiredRoles(manifest, [ServiceBusOut("Send", "payment-events")]), RoleAssignments.Parse(Roles)));
    }

    [Fact]
    public void A_setting_missing_from_the_template_is_reported()
    {
        var manifest = AppSettingsManifest.Parse(Manifest.Replace("""{ "key": "PublicBaseUrl", "required": true, "source": "resource" },""",
            """{ "key": "PublicBaseUrl", "required": true, "source": "resource" }, { "key": "Storage:TableServiceUri", "required": true, "source": "resource" },""", StringComparison.Ordinal));
        var problems = InfraChecks.SettingsProblems(manifest, new BicepTemplate(Template));
        Assert.Contains(problems, p => p.Contains("Storage__TableServiceUri", StringComparison.Ordinal) && p.Contains("not set", StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_set_as_plain_text_is_reported()
    {
        var template = new BicepTemplate(Template.Replace("'${kvRef}security-signing-key)'", "'hunter2-hunter2-hunter2-hunter2-hunter2'", StringComparison.Ordinal));
        var problems = InfraChecks.SettingsProblems(AppSettingsManifest.Parse(Manifest), template);
        Assert.Contains(problems, p => p.Contains("Security__SigningKey must be a Key Vault reference", StringComparison.Ordinal));
    }

    [Fact]
    public void A_forbidden_or_unlisted_setting_in_the_template_is_reported()
    {
        var template = new BicepTemplate(Template.Replace("  PublicBaseUrl: url", "  PublicBaseUrl: url\n  Sandbox__Enabled: 'true'\n  Mystery__Setting: 'x'", StringComparison.Ordinal));
        var problems = InfraChecks.SettingsProblems(AppSettingsManifest.Parse(Manifest), template);
        Assert.Contains(problems, p => p.Contains("Sandbox__Enabled must not be set", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Mystery__Setting, which infra-bicep/app-settings.json does not list", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_the_code_reads_that_the_manifest_lacks_is_reported_and_sections_arrays_and_wildcards_are_covered()
    {
        var manifest = AppSettingsManifest.Parse(Manifest);
        ConfigurationRead[] covered =
        [
            new("Security", "x"), new("Security:SigningKey", "x"), new("security:allowedredirectorigins", "x"),
            new("Security:AllowedRedirectOrigins:3", "x"), new("Providers:Next:Http:TotalTimeout", "x"), new("Providers", "x"),
            new("ServiceBus:InProcess:Topics:payment-events:0", "x"),
        ];
        Assert.Empty(InfraChecks.CoverageProblems(manifest, covered));

        var problems = InfraChecks.CoverageProblems(manifest, [new("Providers:Next:Surprise", "src/X.cs:1"), new("Webhooks", "src/Y.cs:2")]);
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Providers:Next:Surprise is read by the app (src/X.cs:1)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trigger_whose_connection_setting_or_entity_is_missing_is_reported()
    {
        var template = new BicepTemplate(Template);
        var entities = ServiceBusEntities.Parse(Entities);
        FunctionManifest[] functions =
        [
            ServiceBusTrigger("OnEvent", """ "topicName": "payment-events", "subscriptionName": "nobody", "connection": "ServiceBusConnection" """),
            ServiceBusTrigger("OnCharge", """ "queueName": "payment-charges", "connection": "OtherBus" """),
            ServiceBusTrigger("OnLost", """ "queueName": "lost-queue", "connection": "ServiceBusConnection" """),
            Function("Odd", """{ "type": "cosmosDBTrigger", "direction": "in", "name": "docs", "connection": "Cosmos" }"""),
        ];
        var problems = InfraChecks.BindingProblems(functions, template, entities);
        Assert.Contains(problems, p => p.Contains("subscription 'nobody' of topic 'payment-events'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("OtherBus__fullyQualifiedNamespace", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("queue 'lost-queue'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'cosmosDBTrigger' is unknown", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trigger_without_its_receiver_role_is_reported()
    {
        var manifest = AppSettingsManifest.Parse(Manifest);
        var required = InfraChecks.RequiredRoles(manifest, [ServiceBusTrigger("OnEvent", """ "queueName": "payment-charges", "connection": "ServiceBusConnection" """)]);
        var problems = InfraChecks.RoleProblems(required, RoleAssignments.Parse(Roles));
        Assert.Contains(problems, p => p.Contains("Azure Service Bus Data Receiver", StringComparison.Ordinal) && p.Contains("OnEvent", StringComparison.Ordinal));
    }

    [Fact]
    public void A_wrong_role_id_is_reported()
    {
        var roles = RoleAssignments.Parse(Roles.Replace("69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a40", StringComparison.Ordinal));
        var problems = InfraChecks.RoleProblems(InfraChecks.RequiredRoles(AppSettingsManifest.Parse(Manifest), [ServiceBusOut("Send", "payment-events")]), roles);
        Assert.Contains(problems, p => p.Contains("is not one of the built-in role ids", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Azure Service Bus Data Sender", StringComparison.Ordinal));
    }

    [Fact]
    public void An_http_function_without_its_url_output_or_with_another_route_is_reported()
    {
        var template = new BicepTemplate(Template);
        var problems = InfraChecks.FunctionUrlProblems([Http("Health", "healthz"), Http("CreateOrder", "orders")], template);
        Assert.Contains(problems, p => p.Contains("functionUrls.Health is 'health', but its function.json route is 'healthz'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no entry for HTTP function CreateOrder", StringComparison.Ordinal));
        Assert.Contains(InfraChecks.FunctionUrlProblems([], template), p => p.Contains("functionUrls.Health names no HTTP function", StringComparison.Ordinal));
    }

    [Fact]
    public void A_manifest_entry_without_what_its_source_needs_is_reported()
    {
        var manifest = AppSettingsManifest.Parse("""
            { "settings": [
              { "key": "A", "required": true, "source": "default" },
              { "key": "B", "required": false, "source": "keyvault" },
              { "key": "C", "required": false, "source": "parameter", "parameter": "undeclared" },
              { "key": "D:*", "required": false, "source": "resource" },
              { "key": "E", "required": false, "source": "wishful" },
              { "key": "e", "required": false, "source": "default" }
            ] }
            """);
        var problems = InfraChecks.ManifestProblems(manifest, ["origins"]);
        Assert.Equal(6, problems.Count);
    }

    // What bicep build makes of a few parameters and a module given a loadJsonContent file.
    private const string Arm = """
        {
          "parameters": {
            "origins": { "type": "array", "minLength": 1 },
            "memory": { "type": "int", "defaultValue": 2048, "allowedValues": [ 512, 2048 ] },
            "instances": { "type": "int", "defaultValue": 100, "minValue": 40, "maxValue": 1000 },
            "baseName": { "type": "string", "defaultValue": "payments", "maxLength": 12 }
          },
          "variables": {
            "$fxv#0": { "topics": [ { "name": "payment-events", "subscriptions": [ { "name": "storefront-webhooks" } ] } ], "queues": [ { "name": "payment-charges" } ] },
            "serviceBusEntities": "[variables('$fxv#0')]"
          },
          "resources": [
            { "type": "Microsoft.Resources/deployments", "name": "servicebus",
              "properties": { "parameters": { "entities": { "value": "[variables('serviceBusEntities')]" } } } }
          ]
        }
        """;

    [Fact]
    public void A_parameters_file_that_the_compiled_template_would_refuse_is_reported()
    {
        var template = ArmTemplate.Parse(Arm);
        using var good = JsonDocument.Parse("""{ "parameters": { "origins": { "value": [ "https://shop.example" ] }, "memory": { "value": 512 } } }""");
        Assert.Empty(InfraChecks.ParametersFileProblems(template, good.RootElement));

        using var bad = JsonDocument.Parse("""
            { "parameters": {
              "origins": { "value": [] },
              "memory": { "value": 1024 },
              "instances": { "value": 10 },
              "baseName": { "value": 7 },
              "surprise": { "value": "x" }
            } }
            """);
        var problems = InfraChecks.ParametersFileProblems(template, bad.RootElement);
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.Contains("'origins' has length 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'memory' is 1024, not one of the allowed 512, 2048", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'instances' is 10, outside 40..1000", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'baseName' is Number, but main.bicep declares a string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("sets 'surprise', which main.bicep does not declare", StringComparison.Ordinal));

        using var missing = JsonDocument.Parse("""{ "parameters": {} }""");
        Assert.Contains(InfraChecks.ParametersFileProblems(template, missing.RootElement), p => p.Contains("'origins' has no default", StringComparison.Ordinal));
    }

    [Fact]
    public void Entities_the_compiled_template_passes_that_differ_from_the_file_are_reported()
    {
        var template = ArmTemplate.Parse(Arm);
        Assert.Empty(InfraChecks.ServiceBusEntitiesProblems(template, ServiceBusEntities.Parse(Entities)));
        var other = ServiceBusEntities.Parse(Entities.Replace("payment-charges", "payment-charges-v2", StringComparison.Ordinal));
        Assert.Contains(InfraChecks.ServiceBusEntitiesProblems(template, other), p => p.Contains("not infra-bicep/servicebus-entities.json", StringComparison.Ordinal));
        Assert.Contains(InfraChecks.ServiceBusEntitiesProblems(template, other, module: "bus"), p => p.Contains("no module deployment 'bus'", StringComparison.Ordinal));
    }

    [Fact]
    public void Key_patterns_match_indexes_and_wildcards_case_insensitively()
    {
        Assert.True(ConfigKey.Matches("Webhooks:Endpoints:{n}:Url", "webhooks:endpoints:12:url"));
        Assert.True(ConfigKey.Matches("Webhooks:Endpoints:{n}:Url", "Webhooks:Endpoints:{n}:Url"));
        Assert.False(ConfigKey.Matches("Webhooks:Endpoints:{n}:Url", "Webhooks:Endpoints:first:Url"));
        Assert.True(ConfigKey.Matches("Providers:*:Http:*", "Providers:Twisto:Http:MaxRetryAttempts"));
        Assert.False(ConfigKey.Matches("Providers:*:Http:*", "Providers:Twisto:Http"));
        Assert.True(ConfigKey.IsPrefixOf("Providers:Twisto:Http", "Providers:*:Http:*"));
        Assert.False(ConfigKey.Matches("Security:SigningKey", "Security:SigningKeys"));
    }

    private static FunctionManifest Http(string name, string route) =>
        Function(name, $$"""{ "type": "httpTrigger", "direction": "in", "name": "req", "route": "{{route}}" }""", """{ "type": "http", "direction": "out", "name": "res" }""");

    private static FunctionManifest ServiceBusTrigger(string name, string properties) =>
        Function(name, $$"""{ "type": "serviceBusTrigger", "direction": "in", "name": "message", {{properties}} }""");

    private static FunctionManifest ServiceBusOut(string name, string topic) =>
        Function(name, """{ "type": "httpTrigger", "direction": "in", "name": "req", "route": "send" }""",
            $$"""{ "type": "serviceBus", "direction": "out", "name": "out", "topicName": "{{topic}}", "connection": "ServiceBusConnection" }""");

    private static FunctionManifest Function(string name, params string[] bindings)
    {
        using var doc = JsonDocument.Parse("[" + string.Join(",", bindings) + "]");
        return new FunctionManifest(name, $"functions/{name}/function.json", doc.RootElement.EnumerateArray()
            .Select(b => new FunctionBinding(b.GetProperty("type").GetString()!, b.GetProperty("direction").GetString()!, b.Clone()))
            .ToList());
    }
}
