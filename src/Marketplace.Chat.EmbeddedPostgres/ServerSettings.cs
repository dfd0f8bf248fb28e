using System.Globalization;
using System.Text.RegularExpressions;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>The <c>-c name=value</c> server settings of every start: loopback only, no Unix socket, SCRAM passwords, durability.</summary>
internal static partial class ServerSettings
{
    public static string[] Build(PostgresClusterOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["listen_addresses"] = "127.0.0.1",
            ["unix_socket_directories"] = "''", // no Unix socket: nothing depends on /var/run/postgresql, and paths can be too long.
            ["password_encryption"] = "scram-sha-256",
            ["max_connections"] = options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ["fsync"] = options.Fsync ? "on" : "off",
        };
        if (!options.Fsync)
        {
            settings["synchronous_commit"] = "off";
            settings["full_page_writes"] = "off";
        }

        if (!string.IsNullOrWhiteSpace(options.SharedBuffers))
        {
            settings["shared_buffers"] = options.SharedBuffers;
        }

        if (options.Settings is not null)
        {
            foreach (var (name, value) in options.Settings)
            {
                settings[name] = value;
            }
        }

        var arguments = new List<string>();
        foreach (var (name, value) in settings)
        {
            // pg_ctl hands -o to /bin/sh: only allow shell-inert names and values (the '' for the socket folder is ours).
            if (!SafeName().IsMatch(name) || (value != "''" && !SafeValue().IsMatch(value)))
            {
                throw new ArgumentException(
                    $"Unsupported PostgreSQL setting '{name}={value}': names are [a-z0-9_.], values [A-Za-z0-9_.:,/+-].", nameof(options));
            }

            arguments.Add($"-c {name}={value}");
        }

        return [.. arguments];
    }

    [GeneratedRegex("^[a-z][a-z0-9_.]*$")]
    private static partial Regex SafeName();

    [GeneratedRegex("^[A-Za-z0-9_.:,/+-]+$")]
    private static partial Regex SafeValue();
}
