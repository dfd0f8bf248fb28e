using System.Globalization;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>Finds the PostgreSQL server binaries (pg_ctl, initdb) installed on the machine.</summary>
internal static class PostgresBinaries
{
    private const string InstallHint =
        "Install the PostgreSQL server package (Debian/Ubuntu: 'apt-get install postgresql'; Fedora: 'dnf install postgresql-server'; " +
        "macOS: 'brew install postgresql'), or set PostgresClusterOptions.BinDirectory to the folder that holds pg_ctl and initdb.";

    /// <summary>The configured folder, or the highest /usr/lib/postgresql/&lt;version&gt;/bin, /usr/local/pgsql/bin, or the PATH.</summary>
    public static string Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            if (HasTools(full))
            {
                return full;
            }

            throw new PostgresNotFoundException(
                $"PostgreSQL binaries not found in '{full}': pg_ctl and initdb are required there. {InstallHint}");
        }

        var candidates = new List<string>();
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            candidates.AddRange(
                Directory.GetDirectories(debianRoot)
                    .Select(d => (Path: d, Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1))
                    .Where(d => d.Version >= 0)
                    .OrderByDescending(d => d.Version)
                    .Select(d => Path.Combine(d.Path, "bin")));
        }

        candidates.Add("/usr/local/pgsql/bin");
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        candidates.AddRange(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        foreach (var candidate in candidates)
        {
            if (HasTools(candidate))
            {
                return candidate;
            }
        }

        throw new PostgresNotFoundException(
            $"PostgreSQL binaries (pg_ctl, initdb) were not found in /usr/lib/postgresql/<version>/bin, /usr/local/pgsql/bin or on the PATH. {InstallHint}");
    }

    /// <summary>The path of one tool in <paramref name="binDirectory"/>.</summary>
    public static string Tool(string binDirectory, string name) =>
        Path.Combine(binDirectory, OperatingSystem.IsWindows() ? name + ".exe" : name);

    private static bool HasTools(string directory) =>
        File.Exists(Tool(directory, "pg_ctl")) && File.Exists(Tool(directory, "initdb"));
}
