namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>The PostgreSQL server binaries (pg_ctl, initdb) could not be found on this machine.</summary>
public sealed class PostgresNotFoundException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public PostgresNotFoundException()
        : base("PostgreSQL binaries (pg_ctl, initdb) were not found. Install the postgresql package (e.g. apt-get install postgresql).")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was searched and how to fix it.</param>
    public PostgresNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was searched and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public PostgresNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
