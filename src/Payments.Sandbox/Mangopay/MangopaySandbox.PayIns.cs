namespace Payments.Sandbox.Mangopay;

/// <summary>TWINT pay-ins (create, view) and their refunds (create, view).</summary>
public static partial class MangopaySandbox
{
    private static async Task<IResult> CreateTwintPayInAsync(HttpContext http, string prefix, string clientId, MangopaySandboxState state, CancellationToken cancellationToken)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        var (raw, tooLarge) = await ReadBodyAsync(http.Request, state, cancellationToken);
        if (raw is null)
        {
            return tooLarge!;
        }

        var redirectBase = $"{Origin(http.Request)}{prefix}/twint";
        return Idempotent(http, clientId, raw, state, () => CreateTwintPayIn(raw, clientId, redirectBase, state));
    }

    private static (int Status, string Json) CreateTwintPayIn(byte[] raw, string clientId, string redirectBase, MangopaySandboxState state)
    {
        if (ParseObject(raw) is not { } body)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, new JsonObject { ["Body"] = "The request body must be a JSON object." });
        }

        var errors = new JsonObject();
        var authorId = RequiredId(body, "AuthorId", errors);
        var walletId = RequiredId(body, "CreditedWalletId", errors);
        var debited = Funds(body, "DebitedFunds", errors, required: true);
        var fees = Funds(body, "Fees", errors, required: true);
        var returnUrl = Text(body, "ReturnURL", errors, maxLength: 255, required: true);
        if (returnUrl is not null && (!Uri.TryCreate(returnUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)))
        {
            errors["ReturnURL"] = "The ReturnURL must be an absolute http(s) URL.";
        }

        var tag = Text(body, "Tag", errors, maxLength: 255, required: false);
        var descriptor = Text(body, "StatementDescriptor", errors, maxLength: 10, required: false);
        if (descriptor is not null && !Descriptor().IsMatch(descriptor))
        {
            errors["StatementDescriptor"] = "The StatementDescriptor can only contain alphanumeric characters and spaces, 10 at most.";
        }

        if (debited is { } d)
        {
            if (d.Currency != "CHF")
            {
                errors["DebitedFunds.Currency"] = "TWINT pay-ins are available in CHF only.";
            }

            if (d.Amount < 1)
            {
                errors["DebitedFunds.Amount"] = "The minimum amount of a TWINT pay-in is 1 (0.01 CHF).";
            }
        }

        if (debited is { } dd && fees is { } f)
        {
            if (f.Currency != dd.Currency)
            {
                errors["Fees.Currency"] = "The Fees currency must be the DebitedFunds currency.";
            }

            if (f.Amount < 0 || f.Amount > dd.Amount)
            {
                errors["Fees.Amount"] = "The Fees amount must be between 0 and the DebitedFunds amount.";
            }
        }

        if (errors.Count > 0)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, errors);
        }

        var now = state.Now();
        var payIn = new JsonObject
        {
            ["Id"] = null,
            ["Tag"] = tag,
            ["CreationDate"] = now,
            ["AuthorId"] = authorId,
            ["CreditedUserId"] = authorId,
            ["DebitedFunds"] = Money(debited!.Value.Currency, debited.Value.Amount),
            ["CreditedFunds"] = Money(debited.Value.Currency, debited.Value.Amount - fees!.Value.Amount),
            ["Fees"] = Money(fees.Value.Currency, fees.Value.Amount),
            ["Status"] = "CREATED",
            ["ResultCode"] = null,
            ["ResultMessage"] = null,
            ["ExecutionDate"] = null,
            ["Type"] = "PAYIN",
            ["Nature"] = "REGULAR",
            ["CreditedWalletId"] = walletId,
            ["PaymentType"] = "TWINT",
            ["ExecutionType"] = "WEB",
            ["ReturnURL"] = null,
            ["RedirectURL"] = null,
            ["StatementDescriptor"] = descriptor,
        };
        var created = state.AddPayIn(clientId, payIn, returnUrl!, redirectBase);
        return (StatusCodes.Status200OK, created.ToJson());
    }

    private static IResult GetPayIn(HttpContext http, string clientId, string payInId, [FromServices] MangopaySandboxState state)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        return state.FindPayIn(clientId, payInId) is { } payIn
            ? Text(payIn.ToJson(), StatusCodes.Status200OK)
            : NotFound(state, "PayIn", payInId);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, string clientId, string payInId, [FromServices] MangopaySandboxState state, CancellationToken cancellationToken)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        var (raw, tooLarge) = await ReadBodyAsync(http.Request, state, cancellationToken);
        if (raw is null)
        {
            return tooLarge!;
        }

        return Idempotent(http, clientId, raw, state, () => Refund(raw, clientId, payInId, state));
    }

    private static (int Status, string Json) Refund(byte[] raw, string clientId, string payInId, MangopaySandboxState state)
    {
        if (state.FindPayIn(clientId, payInId) is not { } payIn)
        {
            return NotFoundBody(state, "PayIn", payInId);
        }

        if (ParseObject(raw) is not { } body)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, new JsonObject { ["Body"] = "The request body must be a JSON object." });
        }

        var snapshot = payIn.Snapshot();
        var errors = new JsonObject();
        var authorId = RequiredId(body, "AuthorId", errors);
        if (authorId is not null && authorId != snapshot["AuthorId"]!.GetValue<string>())
        {
            errors["AuthorId"] = "The AuthorId must be the author of the initial transaction.";
        }

        var debited = Funds(body, "DebitedFunds", errors, required: false);
        var fees = Funds(body, "Fees", errors, required: false);
        if ((debited is null) != (fees is null) && !errors.ContainsKey("DebitedFunds") && !errors.ContainsKey("Fees"))
        {
            errors[debited is null ? "DebitedFunds" : "Fees"] = "DebitedFunds and Fees must be sent together (or neither, for a full refund).";
        }

        var currency = snapshot["DebitedFunds"]!["Currency"]!.GetValue<string>();
        if (debited is { } d && d.Currency != currency)
        {
            errors["DebitedFunds.Currency"] = "The currency must be the pay-in's.";
        }

        if (fees is { } f && f.Currency != currency)
        {
            errors["Fees.Currency"] = "The currency must be the pay-in's.";
        }

        var tag = Text(body, "Tag", errors, maxLength: 255, required: false);
        if (errors.Count > 0)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, errors);
        }

        var (amount, refusal) = payIn.TryRefund(debited?.Amount);
        if (refusal is not null)
        {
            return ErrorBody(state, StatusCodes.Status400BadRequest, "param_error", ParamErrorMessage, new JsonObject { ["DebitedFunds.Amount"] = refusal });
        }

        var now = state.Now();
        var feeAmount = fees?.Amount ?? 0;
        var refund = new JsonObject
        {
            ["Id"] = $"rf_{Guid.NewGuid():D}",
            ["Tag"] = tag,
            ["CreationDate"] = now,
            ["AuthorId"] = authorId,
            ["CreditedUserId"] = authorId,
            ["DebitedFunds"] = Money(currency, amount),
            ["CreditedFunds"] = Money(currency, amount - feeAmount),
            ["Fees"] = Money(currency, feeAmount),
            ["Status"] = "SUCCEEDED",
            ["ResultCode"] = SuccessCode,
            ["ResultMessage"] = SuccessMessage,
            ["ExecutionDate"] = now,
            ["Type"] = "PAYOUT",
            ["Nature"] = "REFUND",
            ["InitialTransactionId"] = payIn.Id,
            ["InitialTransactionType"] = "PAYIN",
            ["InitialTransactionNature"] = "REGULAR",
            ["DebitedWalletId"] = snapshot["CreditedWalletId"]?.DeepClone(),
            ["CreditedWalletId"] = null,
            ["RefundReason"] = new JsonObject { ["RefundReasonMessage"] = null, ["RefundReasonType"] = "INITIALIZED_BY_CLIENT" },
            ["StatementDescriptor"] = snapshot["StatementDescriptor"]?.DeepClone(),
        };
        state.AddRefund(payIn, refund);
        return (StatusCodes.Status200OK, refund.ToJsonString());
    }

    private static IResult GetRefund(HttpContext http, string clientId, string refundId, [FromServices] MangopaySandboxState state)
    {
        if (Authorize(http.Request, clientId, state) is { } refused)
        {
            return refused;
        }

        return state.FindRefund(clientId, refundId) is { } refund ? Json(refund, StatusCodes.Status200OK) : NotFound(state, "Refund", refundId);
    }
}
