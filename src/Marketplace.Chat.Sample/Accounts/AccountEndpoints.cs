using System.Globalization;
using System.Security.Claims;
using Marketplace.Chat.Sample.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Accounts;

/// <summary>Sign-in (a real form checked against hashed passwords, plus one-click demo sign-in in Development), sign-out and "who am I".</summary>
public static class AccountEndpoints
{
    /// <summary>
    /// Maps the account endpoints under <c>/api/account</c>. The one-click demo sign-in (which hands out an administrator's
    /// session to anyone) is mapped only when <paramref name="demoLogin"/> is true: in Development with <c>Sample:DemoLogin</c>
    /// on. Otherwise its paths are simply not there (404).
    /// </summary>
    public static void MapAccountEndpoints(this RouteGroupBuilder api, bool demoLogin)
    {
        var account = api.MapGroup("/account");

        account.MapGet("/me", (ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true
            ? Results.Ok(new MeResponse(user.UserId(), user.Identity.Name ?? "", user.FindFirstValue(ClaimTypes.Email) ?? "", user.IsInRole(User.AdminRole)))
            : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "AuthenticationRequired"));

        account.MapPost("/login", async (LoginRequest request, SignInService signIn, SignInThrottle throttle, HttpContext http, CancellationToken ct) =>
        {
            var email = (request.Email ?? "").Trim();
            var address = http.Connection.RemoteIpAddress;
            if (throttle.RetryAfter(email, address) is { } wait)
            {
                http.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Problems.Refuse(StatusCodes.Status429TooManyRequests, nameof(ChatErrorCode.RateLimited), "Too many failed sign-ins: try again later.");
            }

            var user = await signIn.VerifyAsync(email, request.Password ?? "", ct);
            if (user is null)
            {
                throttle.Failed(email, address);
                return Problems.Refuse(StatusCodes.Status401Unauthorized, "InvalidCredentials", "Unknown e-mail address or wrong password.");
            }

            throttle.Succeeded(email);
            await SignInAsync(http, user);
            return Results.Ok(new { user.Id });
        });

        if (demoLogin)
        {
            account.MapGet("/demo-users", async (SampleDbContext db, CancellationToken ct) =>
            {
                var ids = SeedData.Users.Select(u => u.Id).ToList();
                var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToListAsync(ct);
                var selling = await db.Listings.AsNoTracking().Select(l => l.SellerId).Distinct().ToListAsync(ct);
                return users
                    .OrderBy(u => ids.IndexOf(u.Id))
                    .Select(u => new DemoUser(u.Id, u.DisplayName, u.Email, u.Role == User.AdminRole ? "admin" : selling.Contains(u.Id) ? "seller" : "buyer"));
            });

            account.MapPost("/demo-login", async (DemoLoginRequest request, SampleDbContext db, HttpContext http, CancellationToken ct) =>
            {
                var isDemo = SeedData.Users.Any(u => u.Id == request.UserId);
                var user = isDemo ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == request.UserId, ct) : null;
                if (user is null)
                {
                    return Problems.Refuse(StatusCodes.Status404NotFound, "UnknownDemoUser", "There is no such demo account.");
                }

                await SignInAsync(http, user);
                return Results.Ok(new { user.Id });
            });
        }

        account.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        });
    }

    /// <summary>Gets the signed-in user's id (the claim SignalR's default user id provider reads, the chat's default <c>UserIdClaimType</c>).</summary>
    public static string UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private static Task SignInAsync(HttpContext http, User user)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id),
                new Claim(ClaimTypes.Name, user.DisplayName),
                new Claim(ClaimTypes.Email, user.Email),
                new Claim(ClaimTypes.Role, user.Role),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>The sign-in form.</summary>
    public sealed record LoginRequest(string? Email, string? Password);

    /// <summary>The one-click demo sign-in.</summary>
    public sealed record DemoLoginRequest(string UserId);

    /// <summary>A demo account offered on the sign-in page.</summary>
    public sealed record DemoUser(string Id, string Name, string Email, string Kind);

    /// <summary>The signed-in user.</summary>
    public sealed record MeResponse(string Id, string Name, string Email, bool IsAdmin);
}
