using System.Net;
using System.Net.Http.Json;
using Marketplace.Chat.BrowserTests.Infrastructure;
using Marketplace.Chat.Sample;
using Microsoft.AspNetCore.Builder;

namespace Marketplace.Chat.BrowserTests.Site;

/// <summary>
/// A throwaway PostgreSQL cluster on which each test starts the sample it needs (its own database, environment and
/// settings), in-process on 127.0.0.1, and talks to it over real HTTP. No browser: these are the sample's HTTP rules.
/// </summary>
public sealed class SampleHostFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private PostgresCluster? _cluster;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        _cluster = await PostgresCluster.StartAsync(
            new PostgresClusterOptions
            {
                DataDirectory = Path.Combine(Path.GetTempPath(), "mpchat-sample-" + Guid.NewGuid().ToString("N")),
                DeleteOnDispose = true,
                Fsync = false,
            },
            timeout.Token);
    }

    /// <summary>Starts the sample in <paramref name="environment"/> with extra settings (<c>Key=Value</c>).</summary>
    public async Task<RunningSample> StartAsync(string environment = "Development", params string[] settings)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var cluster = _cluster ?? throw new InvalidOperationException("Not started.");
        var database = "site_" + Guid.NewGuid().ToString("N")[..10];
        await cluster.CreateDatabaseAsync(database, timeout.Token);
        var app = await SampleApp.CreateAsync(
            new WebApplicationOptions
            {
                ContentRootPath = Repository.SampleProject,
                EnvironmentName = environment,
                Args =
                [
                    "--urls=http://127.0.0.1:0",
                    "--ConnectionStrings:Chat=" + cluster.ConnectionString(database),
                    "--Logging:LogLevel:Default=Warning",
                    "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Error",
                    .. settings.Select(s => "--" + s),
                ],
            },
            timeout.Token);
        await app.App.StartAsync(timeout.Token);
        return new RunningSample(app, new Uri(app.Addresses[0].Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SampleHostGroup : ICollectionFixture<SampleHostFixture>
{
    public const string Name = "sample host";
}

/// <summary>One started sample and HTTP clients for it.</summary>
public sealed class RunningSample(SampleApp app, Uri baseUrl) : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public SampleApp App { get; } = app;

    public Uri BaseUrl { get; } = baseUrl;

    public IServiceProvider Services => App.App.Services;

    /// <summary>A client with its own cookies (one person).</summary>
    public HttpClient Client() => new(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
    {
        BaseAddress = BaseUrl,
        Timeout = Timeout,
    };

    /// <summary>A client signed in with the form, as a demo account (every password is <c>demo1234</c>).</summary>
    public async Task<HttpClient> SignedInAsync(string userId)
    {
        var client = Client();
        using var response = await client.PostAsJsonAsync("/api/account/login", new { email = userId + "@demo.test", password = "demo1234" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.App.StopAsync(stop.Token);
        await App.DisposeAsync();
    }
}
