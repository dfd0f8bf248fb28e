using Microsoft.AspNetCore.Http;

namespace Marketplace.Chat.Routing;

/// <summary>Writes refusals as ProblemDetails carrying the same stable code clients get from the hubs.</summary>
internal static class ChatProblems
{
    public static int StatusOf(ChatErrorCode code) => code switch
    {
        ChatErrorCode.AuthenticationRequired => StatusCodes.Status401Unauthorized,
        ChatErrorCode.OriginNotAllowed => StatusCodes.Status403Forbidden,
        ChatErrorCode.ConversationNotAvailable or ChatErrorCode.AttachmentNotAvailable or ChatErrorCode.MessageNotFound
            or ChatErrorCode.TransactionUnknown => StatusCodes.Status404NotFound,
        ChatErrorCode.RateLimited or ChatErrorCode.TooManyConnections => StatusCodes.Status429TooManyRequests,
        ChatErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ChatErrorCode.QuotaExceeded => StatusCodes.Status413PayloadTooLarge,
        ChatErrorCode.AttachmentTooLarge or ChatErrorCode.ImageTooLarge or ChatErrorCode.ImageTooManyFrames => StatusCodes.Status413PayloadTooLarge,
        ChatErrorCode.AttachmentTypeNotAllowed or ChatErrorCode.ImageMalformed or ChatErrorCode.ImageTrailingData
            or ChatErrorCode.ActiveContentNotAllowed or ChatErrorCode.ArchiveNotAllowed or ChatErrorCode.TextNotUtf8
            or ChatErrorCode.AttachmentEmpty or ChatErrorCode.DocumentMalformed => StatusCodes.Status415UnsupportedMediaType,
        ChatErrorCode.InvalidArgument or ChatErrorCode.MessageEmpty or ChatErrorCode.MessageTooLong => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status409Conflict,
    };

    public static IResult ToResult(ChatException refusal) => Results.Problem(
        detail: refusal.Message,
        statusCode: StatusOf(refusal.Code),
        title: refusal.Code.ToString(),
        type: "https://marketplace.chat/errors/" + refusal.Code,
        extensions: new Dictionary<string, object?> { ["code"] = refusal.Code.ToString() });

    public static Task WriteAsync(HttpContext context, ChatException refusal) => ToResult(refusal).ExecuteAsync(context);
}
