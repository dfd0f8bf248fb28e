using Marketplace.Chat.Routing;

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

    /// <summary>Turns a chat refusal into the chat's own ProblemDetails (the library's one status table).</summary>
    public static IResult From(ChatException refusal) => ChatProblemDetails.ToResult(refusal);

    /// <summary>The same answer for "does not exist" and "not yours".</summary>
    public static IResult NotAvailable() =>
        Refuse(StatusCodes.Status404NotFound, "NotAvailable", "This order does not exist or is not yours.");
}
