using System.Text.Json.Serialization;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Chat;
using Marketplace.Chat.Sample.Data;
using Marketplace.Chat.Sample.Operations;
using Marketplace.Chat.Sample.Payments;
using Marketplace.Chat.Sample.Shop;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Sample.Hosting;

/// <summary>
/// Everything of the sample that is not the chat: cookie sign-in, the security defaults, the shop's endpoints, FakePay and
/// the stats page. Program.cs calls <see cref="AddShop"/>, <see cref="UseShop"/> and <see cref="MapShop"/> around the chat's lines.
/// </summary>
public static class SiteSetup
{
    /// <summary>The authorization policy of marketplace administrators.</summary>
    public const string AdminPolicy = "Admin";

    /// <summary>The hosts answered when <c>AllowedHosts</c> is not configured: this machine only (a DNS-rebinding page gets 400).</summary>
    public static readonly string[] DefaultAllowedHosts = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>Registers the site's services.</summary>
    public static WebApplicationBuilder AddShop(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            // One JSON object per line: what log collectors ingest.
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        var services = builder.Services;
        if (string.IsNullOrWhiteSpace(builder.Configuration["AllowedHosts"]))
        {
            services.Configure<HostFilteringOptions>(o => o.AllowedHosts = [.. DefaultAllowedHosts]);
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddSingleton<ChatStatistics>();
        services.AddSignalR(o => o.AddFilter<ConnectionCountingFilter>());

        services.AddScoped<OrderChat>();
        services.AddOptions<FakePayOptions>().Bind(builder.Configuration.GetSection("Sample:FakePay"));
        services.AddSingleton<FakePayProvider>();
        services.AddScoped<PaymentWebhook>();

        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<SignInService>();
        services.AddOptions<SignInThrottleOptions>().Bind(builder.Configuration.GetSection("Sample:SignIn"));
        services.AddSingleton<SignInThrottle>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // Unreadable bodies raise BadHttpRequestException in every environment, answered as 400 InvalidArgument.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "marketplace.sample";
            o.Cookie.HttpOnly = true;
            // Strict: no other site can make the browser send it, which (with JSON-only API calls) rules out CSRF.
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            o.LoginPath = "/login";
            o.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, p => p.RequireRole(User.AdminRole));
        return builder;
    }

    /// <summary>Adds the middleware: security headers first (so static files get them too), errors, static files, sign-in.</summary>
    public static WebApplication UseShop(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Maps the site's endpoints: health, accounts, the shop, FakePay, the stats page and the browser client's pages.</summary>
    public static WebApplication MapShop(this WebApplication app)
    {
        app.MapHealthChecks("/health");

        // Demo sign-in hands anyone an administrator's session: only in Development, and only when switched on.
        var demoLogin = app.Environment.IsDevelopment() && app.Configuration.GetValue("Sample:DemoLogin", false);
        var publicApi = app.MapGroup("/api").AddEndpointFilter(SameOriginJson).AddEndpointFilter(InputValidation.RefuseInvalidText);
        publicApi.MapAccountEndpoints(demoLogin);

        var api = app.MapGroup("/api").RequireAuthorization().AddEndpointFilter(SameOriginJson).AddEndpointFilter(InputValidation.RefuseInvalidText);
        api.MapShopEndpoints();
        api.MapShippingEndpoints();
        app.MapFakePay(api);
        api.MapGet("/admin/stats", (ChatStatistics statistics) => statistics.Snapshot()).RequireAuthorization(AdminPolicy);

        // The browser client routes these paths itself (history API); the server answers each with the app shell.
        foreach (var page in new[] { "/login", "/orders", "/orders/{id}", "/disputes/{id}", "/admin/disputes", "/admin/stats", "/pay/{id}" })
        {
            app.MapGet(page, () => Results.File(Path.Combine(app.Environment.WebRootPath, "index.html"), "text/html; charset=utf-8"));
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine(demoLogin
                    ? $"Marketplace.Chat sample: open {address} in your browser (demo accounts, password {SeedData.DemoPassword})."
                    : $"Marketplace.Chat sample: open {address} in your browser.");
            }
        });
        return app;
    }

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/chat"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Accepts state-changing API calls only as same-origin JSON: a cross-site form cannot send <c>application/json</c>,
    /// and a cross-site script cannot without a CORS preflight the sample never grants.
    /// </summary>
    private static async ValueTask<object?> SameOriginJson(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return await next(context);
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Refuse(StatusCodes.Status403Forbidden, "OriginNotAllowed", "Requests from this web origin are not allowed.");
        }

        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Problems.Refuse(StatusCodes.Status415UnsupportedMediaType, "JsonRequired", "Send JSON (Content-Type: application/json).");
        }

        return await next(context);
    }
}
