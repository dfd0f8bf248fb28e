namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>Options for <see cref="PostgresCluster.StartAsync"/>.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>Gets the data folder. Created and initialised (initdb) when missing or empty; reused as is otherwise.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Gets the TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Gets a value indicating whether the data folder is deleted when the cluster is disposed (throwaway test clusters).</summary>
    public bool DeleteOnDispose { get; init; }

    /// <summary>Gets the folder holding pg_ctl and initdb. Default: the highest /usr/lib/postgresql/&lt;version&gt;/bin, /usr/local/pgsql/bin, or the PATH.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Gets a value indicating whether writes are durable (default true). False turns fsync, synchronous_commit and full_page_writes off and skips initdb's sync: for throwaway clusters only.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Gets max_connections (default 200: tests open many connections at once; benchmarks may need more).</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Gets shared_buffers, e.g. "256MB"; null keeps PostgreSQL's default (128MB).</summary>
    public string? SharedBuffers { get; init; }

    /// <summary>Gets extra server settings passed as <c>-c name=value</c> on each start (e.g. <c>log_min_duration_statement=200</c>).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>Gets how long to wait for the server to accept connections (default 30 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
