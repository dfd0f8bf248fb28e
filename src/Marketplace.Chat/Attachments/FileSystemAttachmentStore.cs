using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Keeps attachments as files under <see cref="AttachmentOptions.StorageRoot"/> (default <c>App_Data/chat-attachments</c>
/// under the content root), named by random keys like <c>3f/3f9c…e1</c>. A file is written under a temporary name and
/// renamed when complete, so a reader never sees half a file.
/// </summary>
internal sealed partial class FileSystemAttachmentStore : IChatAttachmentStore
{
    private const int BufferLength = 81920;

    public FileSystemAttachmentStore(IOptions<ChatOptions> options, IHostEnvironment? environment = null)
    {
        Root = ResolveRoot(options.Value.Attachments.StorageRoot, environment?.ContentRootPath);
    }

    /// <summary>Gets the absolute folder the files live in.</summary>
    public string Root { get; }

    public async Task<string> SaveAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var name = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var key = name[..2] + "/" + name;
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferLength, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, BufferLength, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, path);
            return key;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            Stream stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferLength, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        File.Delete(path);
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (IOException)
        {
            // Another upload just wrote into the folder: it stays.
        }

        return Task.CompletedTask;
    }

    /// <summary>Resolves the configured root against the content root (or the app's folder when there is no host environment).</summary>
    internal static string ResolveRoot(string? configured, string? contentRoot)
    {
        var baseFolder = string.IsNullOrEmpty(contentRoot) ? AppContext.BaseDirectory : contentRoot;
        return Path.GetFullPath(configured ?? Path.Combine("App_Data", "chat-attachments"), baseFolder);
    }

    /// <summary>Maps a key to its file, refusing anything this store did not generate (keys come from the database, never from users, but a path is a path).</summary>
    private string PathOf(string key)
    {
        if (key is null || !KeyPattern().IsMatch(key))
        {
            throw new ArgumentException("Not a key of the file-system attachment store.", nameof(key));
        }

        return Path.Combine(Root, key[..2], key[3..]);
    }

    [GeneratedRegex("^[0-9a-f]{2}/[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
