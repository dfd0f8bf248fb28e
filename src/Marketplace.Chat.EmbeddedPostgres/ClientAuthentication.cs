namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>
/// The cluster's <c>pg_hba.conf</c>: TCP on the loopback interface only (there is no Unix socket), every role with a SCRAM
/// password. Written before each start, so an edited or older file (a cluster first made with <c>trust</c>) is replaced.
/// </summary>
internal static class ClientAuthentication
{
    public const string Content =
        """
        # Written by Marketplace.Chat.EmbeddedPostgres on every start: loopback TCP only, every role with a SCRAM password.
        # TYPE  DATABASE  USER  ADDRESS       METHOD
        host    all       all   127.0.0.1/32  scram-sha-256
        host    all       all   ::1/128       scram-sha-256

        """;

    /// <summary>Writes pg_hba.conf unless it already says exactly this; true when it changed.</summary>
    public static bool Write(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "pg_hba.conf");
        if (File.Exists(path) && File.ReadAllText(path) == Content)
        {
            return false;
        }

        // Overwriting in place keeps the file's owner (postgres, when we run as root) and mode.
        File.WriteAllText(path, Content);
        return true;
    }
}
