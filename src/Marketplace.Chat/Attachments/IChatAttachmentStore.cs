namespace Marketplace.Chat.Attachments;

/// <summary>
/// Keeps the bytes of accepted attachments. The chat decides what is stored and who may read it; a store only keeps
/// bytes under keys it generates. The built-in store writes files under <see cref="AttachmentOptions.StorageRoot"/>;
/// replace it with <c>AddMarketplaceChat(...).AddAttachmentStore&lt;T&gt;()</c> (blob storage, S3...).
/// </summary>
public interface IChatAttachmentStore
{
    /// <summary>Stores the whole of <paramref name="content"/> (from its current position) under a newly generated key and returns the key.</summary>
    /// <param name="content">The bytes to keep, already inspected and stripped.</param>
    /// <param name="cancellationToken">Stops the write; nothing is left behind under the key.</param>
    /// <returns>The key, at most 200 characters, never derived from anything a user sent.</returns>
    Task<string> SaveAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Opens the bytes stored under <paramref name="key"/> for reading, or returns <see langword="null"/> when there are none.</summary>
    /// <returns>A readable stream; seekable when the store can, so downloads can serve byte ranges.</returns>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the bytes stored under <paramref name="key"/>; deleting a missing key is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
