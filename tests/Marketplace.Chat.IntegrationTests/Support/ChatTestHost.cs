using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Marketplace.Chat.Lifecycle;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>
/// A real host: Kestrel on 127.0.0.1 (random port), the package wired as the README says, a bearer-style test
/// scheme that reads the token from <c>?access_token=</c> (as browsers send it on WebSockets) or the
/// Authorization header, and every log line captured. Tokens are "userId" or "userId|Admin".
/// </summary>
public sealed class ChatTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly string _connectionString;

    private ChatTestHost(WebApplication app, Uri baseUrl, TestParties parties, CapturedLogs logs, string connectionString)
    {
        _connectionString = connectionString;
        _app = app;
        BaseUrl = baseUrl;
        Parties = parties;
        Logs = logs;
    }

    public Uri BaseUrl { get; }

    public TestParties Parties { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ChatTestHost> StartAsync(
        string connectionString,
        Action<ChatOptions>? configure = null,
        TestParties? parties = null,
        bool createSchema = true,
        Action<ChatBuilder>? chat = null,
        Action<WebApplicationBuilder>? host = null)
    {
        parties ??= new TestParties();
        var logs = new CapturedLogs();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        host?.Invoke(builder);
        builder.Services.AddSingleton(parties);
        builder.Services.AddDbContext<ChatTestDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddAuthentication(TestBearer.SchemeName).AddScheme<AuthenticationSchemeOptions, TestBearer>(TestBearer.SchemeName, null);
        builder.Services.AddAuthorization();
        var registration = builder.Services.AddMarketplaceChat(configure)
            .AddEntityFrameworkStores<ChatTestDbContext>()
            .AddLogKey(TestLogKeys.CurrentId, TestLogKeys.Current)
            .AddTransactionPartyResolver<HostParties>();
        chat?.Invoke(registration);

        var app = builder.Build();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMarketplaceChat("/chat");

        if (createSchema)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Database.EnsureCreatedAsync();
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ChatTestHost(app, new Uri(address), parties, logs, connectionString);
    }

    /// <summary>Opens a real SignalR connection over a WebSocket to <c>/chat/{hub}</c> as the token's user.</summary>
    public HubConnection Connect(
        string hub, string? token, Action<ClientWebSocketOptions>? configureSocket = null, WebSocketConnectionFactory? factory = null, bool reconnect = false)
    {
        var url = new Uri(BaseUrl, $"/chat/{hub}" + (token is null ? "" : "?access_token=" + Uri.EscapeDataString(token)));
        factory ??= new WebSocketConnectionFactory(configureSocket);
        return TestHubConnection.Create(url, factory, b =>
        {
            if (reconnect)
            {
                b.WithAutomaticReconnect([.. TestHubConnection.FastReconnectDelays]);
            }
        });
    }

    /// <summary>An HTTP client for the host's endpoints, authenticated as the token's user.</summary>
    public HttpClient Http(string token)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Runs a lifecycle call in a scope of the host, as the host's webhook code would.</summary>
    public async Task<T> Lifecycle<T>(Func<IChatLifecycle, Task<T>> call)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<IChatLifecycle>());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();

        // Idle pooled connections to this test's database would otherwise count against the shared cluster's max_connections.
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        Npgsql.NpgsqlConnection.ClearPool(connection);
    }

    private sealed class HostParties(TestParties parties) : Marketplace.Chat.Conversations.ITransactionPartyResolver
    {
        public ValueTask<Marketplace.Chat.Conversations.TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
            parties.FindPartiesAsync(transactionId, cancellationToken);
    }

    /// <summary>Authenticates "userId" or "userId|Admin" from the access_token query value or an "Authorization: Bearer" header.</summary>
    private sealed class TestBearer(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestBearer";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var token = Request.Query["access_token"].ToString();
            var header = Request.Headers.Authorization.ToString();
            if (token.Length == 0 && header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                token = header["Bearer ".Length..];
            }

            if (token.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var parts = token.Split('|');
            var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, parts[0]), new(ClaimTypes.Name, parts[0]) };
            claims.AddRange(parts.Skip(1).Select(role => new Claim(ClaimTypes.Role, role)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}

/// <summary>Every log line of a host, formatted, with exception text and structured values.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
