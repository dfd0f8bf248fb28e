using System.Text.Json.Serialization;
using Marketplace.Chat.EmbeddedPostgres;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Marketplace.Chat.Sample.Operations;
using Marketplace.Chat.Sample.Payments;
using Marketplace.Chat.Sample.Shop;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample;

/// <summary>
/// Builds the sample marketplace: its database (the configured one, or a private PostgreSQL cluster in App_Data),
/// cookie sign-in, the chat, the marketplace's endpoints and the browser client. Program.cs runs it; the browser tests
/// start it in-process on a throwaway database.
/// </summary>
public sealed partial class SampleApp : IAsyncDisposable
{
    /// <summary>The authorization policy of marketplace administrators.</summary>
    public const string AdminPolicy = "Admin";

    private readonly PostgresCluster? _embedded;

    private SampleApp(WebApplication app, PostgresCluster? embedded)
    {
        App = app;
        _embedded = embedded;
    }

    /// <summary>Gets the web application.</summary>
    public WebApplication App { get; }

    /// <summary>
    /// Builds the application and prepares its database (migrations, demo data). Throws <see cref="PostgresNotFoundException"/>
    /// when no connection string is configured and the PostgreSQL binaries are missing.
    /// </summary>
    public static async Task<SampleApp> CreateAsync(WebApplicationOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(options);
        if (!builder.Environment.IsDevelopment())
        {
            // One JSON object per line: what log collectors ingest.
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        PostgresCluster? embedded = null;
        var connectionString = builder.Configuration.GetConnectionString("Chat");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var dataDirectory = builder.Configuration["Sample:DataDirectory"] is { Length: > 0 } configured
                ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
                : Path.Combine(builder.Environment.ContentRootPath, "App_Data", "postgres");
            embedded = await PostgresCluster.StartAsync(
                new PostgresClusterOptions { DataDirectory = dataDirectory, Port = builder.Configuration.GetValue("Sample:PostgresPort", 0) },
                cancellationToken);
            // The site signs in as a role of its own that owns the demo database (its migrations run as it) and nothing more.
            connectionString = await embedded.CreateApplicationDatabaseAsync(EmbeddedDatabase, EmbeddedRole, cancellationToken);
            Console.WriteLine($"Embedded PostgreSQL is running on 127.0.0.1:{embedded.Port} (data in {embedded.DataDirectory}).");
        }

        try
        {
            ConfigureServices(builder, connectionString);
            var app = builder.Build();
            await PrepareDatabaseAsync(app, embedded is not null, cancellationToken);
            ConfigurePipeline(app);
            return new SampleApp(app, embedded);
        }
        catch
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Gets the addresses the server listens on, once started.</summary>
    public IReadOnlyList<string> Addresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    private const string EmbeddedDatabase = "marketplace";
    private const string EmbeddedRole = "marketplace_app";

    private static void ConfigureServices(WebApplicationBuilder builder, string connectionString)
    {
        var services = builder.Services;
        services.AddDbContext<SampleDbContext>(o => o.UseNpgsql(connectionString));
        var evidenceKey = Chat.SampleEvidenceKey.LoadOrCreate(builder);
        var chat = services.AddMarketplaceChat(o => o.AdminRole = User.AdminRole)
            .AddEntityFrameworkStores<SampleDbContext>()
            .AddTransactionPartyResolver<OrderParties>()
            .AddLogKey(Chat.SampleLogKey.KeyId, Chat.SampleLogKey.LoadOrCreate(builder))
            .AddEvidenceExport(o => o.SigningKey = evidenceKey);
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            // Several nodes (scripts/cluster.sh): live events, presence, budgets and connection caps shared through Redis.
            chat.AddRedis(builder.Configuration);
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

        services.AddSingleton<ChatStatistics>();
        services.AddSignalR(o => o.AddFilter<ConnectionCountingFilter>());

        services.AddOptions<FakePayOptions>().Bind(builder.Configuration.GetSection("Sample:FakePay"));
        services.AddSingleton<FakePayProvider>();
        services.AddScoped<PaymentWebhook>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails();
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

    private static async Task PrepareDatabaseAsync(WebApplication app, bool embedded, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        if (embedded && await SchemaPredatesMigrationsAsync(db, ct))
        {
            // The first minimal sample created its private database with EnsureCreated: start that demo database afresh.
            // Its role owns the database but may not create one, so the schemas are emptied rather than the database dropped.
            LogRecreatingLegacyDatabase(app.Logger);
            await db.Database.ExecuteSqlRawAsync("drop schema if exists chat cascade; drop schema public cascade; create schema public;", ct);
        }

        await db.Database.MigrateAsync(ct);
        await SeedData.EnsureSeededAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>(), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedded demo database was created before the sample had migrations; recreating it.")]
    private static partial void LogRecreatingLegacyDatabase(ILogger logger);

    private static async Task<bool> SchemaPredatesMigrationsAsync(SampleDbContext db, CancellationToken ct)
    {
        if (!await db.Database.CanConnectAsync(ct))
        {
            return false;
        }

        const string count = "select count(*)::int as \"Value\" from information_schema.tables where ";
        var history = await db.Database.SqlQueryRaw<int>(count + "table_name = '__EFMigrationsHistory'").SingleAsync(ct);
        var tables = await db.Database.SqlQueryRaw<int>(count + "table_schema in ('public', 'chat')").SingleAsync(ct);
        return history == 0 && tables > 0;
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(SecurityHeaders);

        app.MapMarketplaceChat("/chat").RequireAuthorization();
        app.MapHealthChecks("/health");

        var publicApi = app.MapGroup("/api").AddEndpointFilter(SameOriginJson);
        publicApi.MapAccountEndpoints(app.Configuration.GetValue("Sample:DemoLogin", true));

        var api = app.MapGroup("/api").RequireAuthorization().AddEndpointFilter(SameOriginJson).AddEndpointFilter(ChatRefusals);
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
                Console.WriteLine($"Marketplace.Chat sample: open {address} in your browser (demo accounts, password {SeedData.DemoPassword}).");
            }
        });
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.ContentSecurityPolicy =
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        return next();
    }

    /// <summary>Turns a chat refusal (e.g. a trigger the chat's state no longer permits) into ProblemDetails with its code.</summary>
    private static async ValueTask<object?> ChatRefusals(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ChatException refusal)
        {
            return Problems.From(refusal);
        }
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
