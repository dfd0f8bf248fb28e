using Marketplace.Chat.EmbeddedPostgres;
using Marketplace.Chat.Sample.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Marketplace.Chat.Sample;

/// <summary>
/// The sample marketplace as built by <c>Program.BuildAsync</c>: the web application and the database it owns (a private
/// PostgreSQL cluster unless one is configured). Program.cs runs it; the browser tests start it in-process on a throwaway database.
/// </summary>
public sealed class SampleApp : IAsyncDisposable
{
    private readonly SampleDatabase _database;

    internal SampleApp(WebApplication app, SampleDatabase database)
    {
        App = app;
        _database = database;
    }

    /// <summary>Gets the web application.</summary>
    public WebApplication App { get; }

    /// <summary>Gets the addresses the server listens on, once started.</summary>
    public IReadOnlyList<string> Addresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>
    /// Builds the application and prepares its database (migrations, demo data). Throws <see cref="PostgresNotFoundException"/>
    /// when no connection string is configured and the PostgreSQL binaries are missing.
    /// </summary>
    public static Task<SampleApp> CreateAsync(WebApplicationOptions options, CancellationToken cancellationToken = default) =>
        Program.BuildAsync(options, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
    }
}
