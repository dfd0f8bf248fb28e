using System.Text;

namespace Marketplace.Chat.IntegrationTests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster (temp folder, free port, fsync off, deleted on dispose) shared by the test classes of the
/// "postgres" collection. Each test class or test asks for its own empty database with <see cref="CreateDatabaseAsync"/>.
/// Several fixtures may run at once (other collections, other test processes): each gets its own folder and port.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    /// <summary>The running cluster (after InitializeAsync).</summary>
    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialised.");

    /// <summary>Connection string to the cluster's maintenance database "postgres".</summary>
    public string AdminConnectionString => Cluster.ConnectionString();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"mpchat-tests-{Guid.NewGuid():N}"),
            DeleteOnDispose = true,
            Fsync = false,
            MaxConnections = 300,
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Creates a new, uniquely named, empty database and returns a connection string to it.</summary>
    /// <param name="prefix">Readable start of the name (e.g. the test class); sanitised to [a-z0-9_].</param>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var name = UniqueDatabaseName(prefix);
        await Cluster.CreateDatabaseAsync(name);
        return Cluster.ConnectionString(name);
    }

    internal static string UniqueDatabaseName(string? prefix)
    {
        var clean = new StringBuilder();
        foreach (var c in (prefix ?? "test").ToLowerInvariant())
        {
            clean.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_');
        }

        if (clean.Length == 0 || !char.IsAsciiLetterLower(clean[0]))
        {
            clean.Insert(0, 'd');
        }

        // 63-byte limit: 30 readable characters + '_' + 32 hex digits.
        var readable = clean.ToString();
        if (readable.Length > 30)
        {
            readable = readable[..30];
        }

        return $"{readable}_{Guid.NewGuid():N}";
    }
}

/// <summary>Test classes marked <c>[Collection("postgres")]</c> share one <see cref="PostgresFixture"/> cluster per run.</summary>
[CollectionDefinition(Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "An xunit collection definition; the name says so.")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "postgres";
}
