using System.Security.Cryptography;
using System.Text.Json;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>
/// The passwords of the cluster's roles (the superuser and the application roles), random, kept in the data folder in a file
/// only its owner can read, so a restarted sample finds them again and a deleted test cluster takes them along.
/// </summary>
internal sealed class ClusterCredentials
{
    public const string FileName = "embedded-credentials.json";

    private readonly Dictionary<string, string> _passwords;
    private readonly object _gate = new();

    private ClusterCredentials(Dictionary<string, string> passwords) => _passwords = passwords;

    public string SuperuserPassword => _passwords[PostgresCluster.Superuser];

    /// <summary>New credentials with a random superuser password (nothing is written yet).</summary>
    public static ClusterCredentials CreateNew() =>
        new(new Dictionary<string, string>(StringComparer.Ordinal) { [PostgresCluster.Superuser] = NewPassword() });

    /// <summary>The credentials saved in <paramref name="dataDirectory"/>, or null for a cluster made before they existed.</summary>
    public static ClusterCredentials? Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var passwords = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        if (passwords is null || !passwords.ContainsKey(PostgresCluster.Superuser))
        {
            throw new InvalidOperationException($"'{path}' does not hold the {PostgresCluster.Superuser} password: restore it or delete the data folder.");
        }

        return new ClusterCredentials(new Dictionary<string, string>(passwords, StringComparer.Ordinal));
    }

    /// <summary>The password of <paramref name="role"/>, made (and saved) the first time it is asked for.</summary>
    public string PasswordOf(string role, string dataDirectory)
    {
        lock (_gate)
        {
            if (!_passwords.TryGetValue(role, out var password))
            {
                password = NewPassword();
                _passwords[role] = password;
                SaveLocked(dataDirectory);
            }

            return password;
        }
    }

    /// <summary>Writes the file (owner-only), replacing the previous one in one step.</summary>
    public void Save(string dataDirectory)
    {
        lock (_gate)
        {
            SaveLocked(dataDirectory);
        }
    }

    private static string NewPassword() => RandomNumberGenerator.GetHexString(40, lowercase: true);

    private void SaveLocked(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        using (var stream = OperatingSystem.IsWindows()
                   ? new FileStream(temporary, FileMode.Create, FileAccess.Write)
                   : new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.Create,
                       Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
        {
            JsonSerializer.Serialize(stream, _passwords);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
