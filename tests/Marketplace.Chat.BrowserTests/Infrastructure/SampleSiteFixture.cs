using Marketplace.Chat.Sample;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Marketplace.Chat.BrowserTests.Infrastructure;

/// <summary>
/// The sample site running in-process on 127.0.0.1 (a free port) against a throwaway PostgreSQL cluster, and Debian's
/// Chromium driven by Playwright. Never a downloaded browser: the tests use /usr/bin/chromium (scripts/prerequisites.sh installs it).
/// </summary>
public sealed class SampleSiteFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private PostgresCluster? _cluster;
    private SampleApp? _site;
    private IPlaywright? _playwright;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        _cluster = await PostgresCluster.StartAsync(
            new PostgresClusterOptions
            {
                DataDirectory = Path.Combine(Path.GetTempPath(), "mpchat-browser-" + Guid.NewGuid().ToString("N")),
                DeleteOnDispose = true,
                Fsync = false,
            },
            timeout.Token);
        // As in the sample's embedded mode: the site signs in as a role that owns its database and nothing more.
        var connectionString = await _cluster.CreateApplicationDatabaseAsync("sample", "marketplace_app", timeout.Token);

        _site = await SampleApp.CreateAsync(
            new WebApplicationOptions
            {
                ContentRootPath = Repository.SampleProject,
                EnvironmentName = "Development",
                Args =
                [
                    "--urls=http://127.0.0.1:0",
                    "--ConnectionStrings:Chat=" + connectionString,
                    "--Logging:LogLevel:Default=Warning",
                    "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Error",
                ],
            },
            timeout.Token);
        await _site.App.StartAsync(timeout.Token);
        BaseUrl = _site.Addresses[0].Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/prerequisites.sh (apt-get install chromium).");
        }

        _playwright = await Playwright.CreateAsync().WaitAsync(timeout.Token);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            Timeout = 60_000,
        }).WaitAsync(timeout.Token);
        Assertions.SetDefaultExpectTimeout(15_000);
        Directory.CreateDirectory(Repository.Screenshots);
        File.Delete(Path.Combine(Repository.Screenshots, "browser.log"));
    }

    /// <summary>Opens a new browser context (its own cookies: one signed-in person) with one page.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 820)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "fr-FR",
            TimezoneId = "Europe/Paris",
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(20_000);
        var page = await context.NewPageAsync();
        // The browser's console and failed responses go to artifacts/screenshots/browser.log, to diagnose a failing step.
        page.Console += (_, message) => Log($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Log($"HTTP {response.Status} {response.Request.Method} {response.Url}");
            }
        };
        return page;
    }

    private readonly Lock _logGate = new();

    private void Log(string line)
    {
        lock (_logGate)
        {
            File.AppendAllText(Path.Combine(Repository.Screenshots, "browser.log"), $"{DateTimeOffset.Now:HH:mm:ss.fff} {line}{Environment.NewLine}");
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_site is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _site.App.StopAsync(stopTimeout.Token);
            await _site.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SampleSiteGroup : ICollectionFixture<SampleSiteFixture>
{
    public const string Name = "sample site";
}
