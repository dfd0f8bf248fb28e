namespace Marketplace.Chat.Evidence;

/// <summary>Creates the scratch files a bundle is built or checked in: readable by this process's user only, deleted when closed.</summary>
internal static class EvidenceScratch
{
    public static FileStream Create(string purpose)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 81920,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(Path.Combine(Path.GetTempPath(), $"mpchat-evidence-{purpose}-{Guid.NewGuid():N}.zip"), options);
    }
}
