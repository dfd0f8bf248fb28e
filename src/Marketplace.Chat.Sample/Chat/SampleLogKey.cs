using System.Security.Cryptography;

namespace Marketplace.Chat.Sample.Chat;

/// <summary>
/// The key the sample chains its conversation logs with. A real marketplace keeps it in its secret store; the sample
/// creates 32 random bytes in a file under App_Data on first start (or <c>Sample:LogKeyFile</c>) and reuses them.
/// Losing the file means existing entries verify as "unknown key"; keep it as you would a signing key.
/// </summary>
internal static class SampleLogKey
{
    /// <summary>The id stored with every entry written with this key.</summary>
    public const string KeyId = "sample-log-1";

    /// <summary>Reads the key file, creating it with a new random key the first time, and says where it is.</summary>
    public static byte[] LoadOrCreate(WebApplicationBuilder builder)
    {
        var path = builder.Configuration["Sample:LogKeyFile"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : Path.Combine(builder.Environment.ContentRootPath, "App_Data", "chat-log.key");
        if (File.Exists(path))
        {
            var existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            Console.WriteLine($"Chat log key '{KeyId}' read from {path}.");
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            file.Write(Convert.ToBase64String(key));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another node of the same site (scripts/cluster.sh) created it a moment earlier: every node uses that one.
            return LoadOrCreate(builder);
        }

        Console.WriteLine($"Chat log key '{KeyId}' created in {path}: keep it; entries chained with it verify only while it exists.");
        return key;
    }
}
