namespace Marketplace.Chat.Sample.Hosting;

/// <summary>
/// Adds the site's security headers to every response: pages, <c>/</c> and <c>/index.html</c>, static files, API answers
/// and error pages. It runs first in the pipeline and writes the headers when the response starts, so neither the static
/// file middleware (which answers without calling further) nor the exception handler (which clears headers) skips them.
/// A header an endpoint set itself (the chat's downloads have a stricter CSP) is kept.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The site's content security policy: its own scripts and styles only, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>Adds the middleware; call it before anything that can answer a request.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.TryAdd("X-Content-Type-Options", "nosniff");
            headers.TryAdd("Referrer-Policy", "same-origin");
            headers.TryAdd("X-Frame-Options", "DENY");
            headers.TryAdd("Cross-Origin-Opener-Policy", "same-origin");
            headers.TryAdd("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
            headers.TryAdd("Content-Security-Policy", ContentSecurityPolicy);
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
