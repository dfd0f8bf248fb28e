namespace Marketplace.Chat.Sample;

/// <summary>Writes the sample's own refusals as ProblemDetails with a stable <c>code</c>, like the chat's.</summary>
public static class Problems
{
    /// <summary>Creates a ProblemDetails result carrying <paramref name="code"/> and a sentence for people.</summary>
    public static IResult Refuse(int status, string code, string detail) => Results.Problem(
        detail: detail,
        statusCode: status,
        title: code,
        extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>Turns a chat refusal into a ProblemDetails result with the chat's code.</summary>
    public static IResult From(ChatException refusal) => Refuse(
        refusal.Code is ChatErrorCode.ConversationNotAvailable or ChatErrorCode.TransactionUnknown ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict,
        refusal.Code.ToString(),
        refusal.Message);
}
