namespace Marketplace.Chat.Attachments;

/// <summary>Creates scratch files for uploads in flight; the operating system removes them when they are closed.</summary>
internal static class TemporaryFile
{
    /// <summary>Creates an empty, private, read-write file that is deleted when the stream is disposed.</summary>
    public static FileStream Create() => new(
        Path.Combine(Path.GetTempPath(), $"mpchat-{Guid.NewGuid():N}.upload"),
        FileMode.CreateNew,
        FileAccess.ReadWrite,
        FileShare.None,
        bufferSize: 81920,
        FileOptions.Asynchronous | FileOptions.DeleteOnClose);
}
