using Marketplace.Chat.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Routing;

/// <summary>
/// Refuses browser requests from foreign origins before they reach a hub or endpoint: browsers attach the
/// user's cookies to cross-site WebSocket handshakes, so without this any page could chat as the user.
/// Requests without an Origin header (server-side and native clients) are not browser-initiated and pass.
/// </summary>
internal static class ChatOriginCheck
{
    public static RequestDelegate Wrap(RequestDelegate next) => async context =>
    {
        if (IsAllowed(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChatOriginCheck).FullName!);
        ChatLog.OriginRefused(logger, origin);
        await ChatProblems.WriteAsync(
            context, new ChatException(ChatErrorCode.OriginNotAllowed, "Connections from this web origin are not allowed.")).ConfigureAwait(false);
    };

    public static bool IsAllowed(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri))
        {
            return false;
        }

        var own = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        if (string.Equals(originUri.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var options = context.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value;
        return options.AllowedOrigins.Contains(originUri.GetLeftPart(UriPartial.Authority));
    }
}
