using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Marketplace.Chat.Routing;

/// <summary>
/// Writes a <see cref="ChatException"/> as ProblemDetails with the status the chat's own endpoints use, so a host's
/// endpoints answer a refusal exactly as the chat does: <c>title</c> and <c>code</c> are the <see cref="ChatErrorCode"/>,
/// <c>detail</c> the sentence for people. Register <c>AddProblemDetails()</c> on the chat builder to do it for every endpoint.
/// </summary>
public static class ChatProblemDetails
{
    /// <summary>The prefix of the <c>type</c> URI of every chat problem; the code follows it.</summary>
    public const string TypePrefix = "https://marketplace.chat/errors/";

    /// <summary>Gets the HTTP status of a refusal code, e.g. 404 for <see cref="ChatErrorCode.ConversationNotAvailable"/>, 429 for <see cref="ChatErrorCode.RateLimited"/>, 503 for <see cref="ChatErrorCode.Unavailable"/>.</summary>
    public static int StatusCodeOf(ChatErrorCode code) => ChatProblems.StatusOf(code);

    /// <summary>Creates the ProblemDetails of a refusal.</summary>
    public static ProblemDetails Create(ChatException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new ProblemDetails
        {
            Status = StatusCodeOf(refusal.Code),
            Title = refusal.Code.ToString(),
            Detail = refusal.Message,
            Type = TypePrefix + refusal.Code,
            Extensions = { ["code"] = refusal.Code.ToString() },
        };
    }

    /// <summary>Creates the result an endpoint returns for a refusal.</summary>
    public static IResult ToResult(ChatException refusal) => ChatProblems.ToResult(refusal);
}
