namespace Marketplace.Chat.Evidence;

/// <summary>
/// Checks a dispute evidence bundle offline, without the database: the same check as the
/// <c>Marketplace.Chat.EvidenceVerifier</c> command-line tool.
/// </summary>
public static class ChatEvidenceBundle
{
    /// <summary>
    /// Verifies a bundle: the manifest's signature (against the pinned key when one is given, else the bundle's own
    /// public key, whose fingerprint is reported either way), the SHA-256 and size of every file, that no file is
    /// missing or extra, and the logs' internal consistency (gap-free sequences, previous-hash links, the head, edit and
    /// deletion targets, attachment hashes; keyed MACs only with <see cref="ChatEvidenceVerifyOptions.LogKeys"/>).
    /// Changing any byte of any file in the bundle makes it fail and name the file.
    /// </summary>
    /// <param name="bundle">The ZIP, readable; copied to a temporary file first when it cannot seek.</param>
    /// <param name="options">The key to pin and the MAC keys, if any.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    public static async Task<ChatEvidenceVerification> VerifyAsync(
        Stream bundle, ChatEvidenceVerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new ChatEvidenceVerifyOptions();
        EvidenceBundleVerifier.Validate(options);
        if (bundle.CanSeek)
        {
            return await Task.Run(() => new EvidenceBundleVerifier(options).Verify(bundle, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        var copy = EvidenceScratch.Create("check");
        await using (copy.ConfigureAwait(false))
        {
            await bundle.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            copy.Position = 0;
            return await Task.Run(() => new EvidenceBundleVerifier(options).Verify(copy, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Verifies the bundle file at <paramref name="path"/>; see <see cref="VerifyAsync(Stream, ChatEvidenceVerifyOptions?, CancellationToken)"/>.</summary>
    public static async Task<ChatEvidenceVerification> VerifyFileAsync(
        string path, ChatEvidenceVerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            return await VerifyAsync(file, options, cancellationToken).ConfigureAwait(false);
        }
    }
}
