using Marketplace.Chat.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>How long a client is asked to wait before retrying after <see cref="ChatErrorCode.Unavailable"/>, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Counts and logs (Debug, rate-limited) a refusal of an endpoint and turns it into ProblemDetails.</summary>
    public static IResult Refused(HttpContext context, ChatException refusal)
    {
        var services = context.RequestServices;
        services.GetRequiredService<ChatMetrics>().Refused(refusal);
        services.GetRequiredService<RefusalLog>().Refused(context.Request.Method + " " + context.Request.Path, refusal.Code);
        return ToResult(refusal);
    }

    /// <summary>Answers an infrastructure failure with <c>503 Unavailable</c> and <c>Retry-After</c>, logged once at Warning.</summary>
    public static IResult Unavailable(HttpContext context, Exception cause)
    {
        var services = context.RequestServices;
        var refusal = ChatFailures.Unavailable();
        services.GetRequiredService<ChatMetrics>().Refused(refusal);
        services.GetRequiredService<RefusalLog>().Unavailable(context.Request.Method + " " + context.Request.Path, cause);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ToResult(refusal);
    }

    /// <summary>Tells whether an exception an endpoint caught is an outage to answer with 503 (not the client going away).</summary>
    public static bool IsUnavailable(HttpContext context, Exception exception) =>
        !context.RequestAborted.IsCancellationRequested && ChatFailures.IsUnavailable(exception);
}
