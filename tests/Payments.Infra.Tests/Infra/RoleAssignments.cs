using System.Text.RegularExpressions;

namespace Payments.Infra.Tests.Infra;

/// <summary>Built-in Azure roles the app needs (ids are the same in every tenant).</summary>
public static class BuiltInRoles
{
    public const string StorageBlobDataOwner = "Storage Blob Data Owner";
    public const string StorageTableDataContributor = "Storage Table Data Contributor";
    public const string StorageQueueDataContributor = "Storage Queue Data Contributor";
    public const string ServiceBusDataSender = "Azure Service Bus Data Sender";
    public const string ServiceBusDataReceiver = "Azure Service Bus Data Receiver";
    public const string KeyVaultSecretsUser = "Key Vault Secrets User";
    public const string KeyVaultSecretsOfficer = "Key Vault Secrets Officer";
    public const string MonitoringMetricsPublisher = "Monitoring Metrics Publisher";

    public const string StorageAccount = "Microsoft.Storage/storageAccounts";
    public const string ServiceBusNamespace = "Microsoft.ServiceBus/namespaces";
    public const string KeyVault = "Microsoft.KeyVault/vaults";
    public const string ApplicationInsights = "Microsoft.Insights/components";

    /// <summary>Role name → role definition id (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).</summary>
    public static readonly IReadOnlyDictionary<string, string> Ids = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [StorageBlobDataOwner] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        [StorageTableDataContributor] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        [StorageQueueDataContributor] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        [ServiceBusDataSender] = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
        [ServiceBusDataReceiver] = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
        [KeyVaultSecretsUser] = "4633458b-17de-408a-b874-0445c86b69e6",
        [KeyVaultSecretsOfficer] = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        [MonitoringMetricsPublisher] = "3913510d-42f4-4e42-8a64-420c390055eb",
    };

    public static string NameOf(string id) =>
        Ids.FirstOrDefault(p => string.Equals(p.Value, id, StringComparison.OrdinalIgnoreCase)).Key ?? id;
}

/// <summary>What the app identity needs: a role on a resource type, and why.</summary>
public sealed record RoleRequirement(string ResourceType, string Role, string Reason)
{
    public override string ToString() => $"{Role} on {ResourceType} ({Reason})";
}

/// <summary>
/// A textual reading of modules/roles.bicep: the <c>roleIds</c> map (name → id), the id arrays, and the
/// <c>[for roleId in &lt;array&gt;: { scope: &lt;symbol&gt; … principalId: appPrincipalId }]</c> assignments, with each
/// scope symbol resolved to its resource type through its <c>existing</c> declaration.
/// </summary>
public sealed partial class RoleAssignments
{
    private RoleAssignments(
        IReadOnlyDictionary<string, string> roleIds,
        IReadOnlyDictionary<string, IReadOnlySet<string>> appRolesByResourceType,
        string text)
    {
        RoleIds = roleIds;
        AppRolesByResourceType = appRolesByResourceType;
        Text = text;
    }

    /// <summary>roleIds entries: symbol (storageBlobDataOwner) → id.</summary>
    public IReadOnlyDictionary<string, string> RoleIds { get; }

    /// <summary>Resource type → role definition ids assigned to the app identity on it.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> AppRolesByResourceType { get; }

    public string Text { get; }

    public static RoleAssignments Load(string path) => Parse(File.ReadAllText(path));

    public static RoleAssignments Parse(string text)
    {
        var roleIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var map = RoleIdMap().Match(text);
        if (map.Success)
        {
            foreach (Match m in RoleIdEntry().Matches(map.Groups["body"].Value))
            {
                roleIds[m.Groups["name"].Value] = m.Groups["id"].Value.ToLowerInvariant();
            }
        }

        var arrays = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (Match m in IdArray().Matches(text))
        {
            arrays[m.Groups["name"].Value] = RoleIdReference().Matches(m.Groups["body"].Value)
                .Select(r => roleIds.TryGetValue(r.Groups["name"].Value, out var id) ? id : "unknown:" + r.Groups["name"].Value)
                .ToList();
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in ExistingResource().Matches(text))
        {
            types[m.Groups["symbol"].Value] = m.Groups["type"].Value;
        }

        var assigned = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in AssignmentLoop().Matches(text))
        {
            var body = m.Groups["body"].Value;
            var scope = ScopeLine().Match(body);
            if (!scope.Success || !AppPrincipal().IsMatch(body) || !types.TryGetValue(scope.Groups["symbol"].Value, out var type)
                || !arrays.TryGetValue(m.Groups["array"].Value, out var ids))
            {
                continue;
            }

            if (!assigned.TryGetValue(type, out var set))
            {
                assigned[type] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            }

            set.UnionWith(ids);
        }

        return new RoleAssignments(roleIds, assigned.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.OrdinalIgnoreCase), text);
    }

    public bool Grants(RoleRequirement requirement) =>
        AppRolesByResourceType.TryGetValue(requirement.ResourceType, out var ids)
        && ids.Contains(BuiltInRoles.Ids[requirement.Role]);

    [GeneratedRegex(@"var\s+roleIds\s*=\s*\{(?<body>[\s\S]*?)\n\}")]
    private static partial Regex RoleIdMap();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*'(?<id>[0-9a-fA-F-]{36})'")]
    private static partial Regex RoleIdEntry();

    [GeneratedRegex(@"var\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*\[(?<body>[^\]]*)\]")]
    private static partial Regex IdArray();

    [GeneratedRegex(@"roleIds\.(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex RoleIdReference();

    [GeneratedRegex(@"resource\s+(?<symbol>[A-Za-z_][A-Za-z0-9_]*)\s+'(?<type>[^@']+)@[^']*'\s+existing")]
    private static partial Regex ExistingResource();

    [GeneratedRegex(@"'Microsoft\.Authorization/roleAssignments@[^']*'\s*=\s*\[\s*for\s+roleId\s+in\s+(?<array>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*\{(?<body>[\s\S]*?)\n\}\]")]
    private static partial Regex AssignmentLoop();

    [GeneratedRegex(@"^\s*scope:\s*(?<symbol>[A-Za-z_][A-Za-z0-9_]*)\s*$", RegexOptions.Multiline)]
    private static partial Regex ScopeLine();

    [GeneratedRegex(@"^\s*principalId:\s*appPrincipalId\s*$", RegexOptions.Multiline)]
    private static partial Regex AppPrincipal();
}
