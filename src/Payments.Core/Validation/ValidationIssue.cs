namespace Payments.Core.Validation;

public enum IssueKind
{
    /// <summary>The input is malformed (400).</summary>
    Invalid,

    /// <summary>Well formed, but cannot be processed as asked (422): a disallowed origin, a provider limit.</summary>
    Unprocessable,
}

/// <summary>One problem with one input field. <see cref="Field"/> is a JSON path such as <c>items[0].unitPrice</c>.</summary>
public sealed record ValidationIssue(string Field, string Message, IssueKind Kind = IssueKind.Invalid);
