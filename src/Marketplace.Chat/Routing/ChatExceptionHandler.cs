using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Marketplace.Chat.Routing;

/// <summary>
/// Answers a <see cref="ChatException"/> that escapes a host endpoint with the chat's ProblemDetails (<see cref="ChatProblemDetails"/>).
/// Any other exception is left to the next handler. A handled refusal is an ordinary answer: ASP.NET Core logs nothing at Error for it.
/// </summary>
internal sealed class ChatExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ChatException refusal || httpContext.Response.HasStarted)
        {
            return false;
        }

        var problem = ChatProblemDetails.Create(refusal);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }
}
