using Xunit.Abstractions;

namespace Payments.Host.Tests.Contract;

/// <summary>
/// Every status the committed OpenAPI document lists for an operation is one the host tests really received from the
/// running app, checked against its schema on arrival by <see cref="ContractRecorder"/>. A documented status nobody can
/// reach is a promise nobody tested; the fix is a test that reaches it, or a document that stops promising it.
/// </summary>
[Collection(ContractCoverageCollection.Name)]
public sealed class ContractCoverageTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_documented_status_of_every_operation_was_received_and_validated_in_this_run()
    {
        var seen = ContractRecorder.Responses;
        var documented = ContractDocument.Committed.Responses.ToList();
        var missing = documented.Where(r => !seen.ContainsKey((r.OperationId, r.Status))).ToList();

        var report = new StringBuilder()
            .Append(documented.Count).Append(" documented responses; ")
            .Append(documented.Count - missing.Count).Append(" received and validated (")
            .Append(seen.Values.Sum()).AppendLine(" responses checked in all); not reached:");
        foreach (var m in missing)
        {
            report.Append("  ").AppendLine(m.ToString());
        }

        output.WriteLine(report.ToString());
        Assert.True(missing.Count == 0, report.Append("(this test needs the whole host suite in the same run)").ToString());
    }
}
