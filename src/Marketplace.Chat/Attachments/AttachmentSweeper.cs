using System.Data.Common;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Removes uploads that no message referenced within <see cref="AttachmentOptions.UnreferencedUploadLifetime"/>: the row
/// first, then the stored bytes of the original and of its preview. The row's delete re-checks "no message references it" in the database, and the
/// foreign key from messages refuses the delete when a send wins a race, so a sent attachment is never removed.
/// Several server nodes may sweep at once: each row is deleted by one of them.
/// </summary>
internal sealed class AttachmentSweeper(
    ChatStore store,
    IChatAttachmentStore files,
    AttachmentMetrics metrics,
    IOptions<ChatOptions> options,
    ILogger<AttachmentSweeper> logger)
{
    private const int BatchSize = 100;

    /// <summary>Removes every upload created before <paramref name="now"/> minus the lifetime that no message references.</summary>
    /// <returns>The number of uploads removed.</returns>
    public async Task<int> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var lifetime = options.Value.Attachments.UnreferencedUploadLifetime;
        var cutoff = now - lifetime;
        var attachments = store.Db.Set<AttachmentRecord>();
        var removed = 0;
        var skipped = new HashSet<Guid>();
        while (true)
        {
            var batch = await attachments.AsNoTracking()
                .Where(a => a.CreatedAt < cutoff && !store.Entries.Any(m => m.AttachmentId == a.Id) && !skipped.Contains(a.Id))
                .OrderBy(a => a.CreatedAt)
                .Select(a => new { a.Id, a.StorageKey, a.PreviewKey })
                .Take(BatchSize)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var candidate in batch)
            {
                if (await TryDeleteRowAsync(candidate.Id, cancellationToken).ConfigureAwait(false))
                {
                    removed++;
                    await DeleteBytesAsync(candidate.StorageKey).ConfigureAwait(false);
                    if (candidate.PreviewKey is not null)
                    {
                        await DeleteBytesAsync(candidate.PreviewKey).ConfigureAwait(false);
                    }
                }
                else
                {
                    skipped.Add(candidate.Id);
                }
            }
        }

        if (removed > 0)
        {
            metrics.Swept(removed);
            AttachmentLog.Swept(logger, removed, lifetime);
        }

        return removed;
    }

    private async Task<bool> TryDeleteRowAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await store.Db.Set<AttachmentRecord>()
                .Where(a => a.Id == id && !store.Entries.Any(m => m.AttachmentId == a.Id))
                .ExecuteDeleteAsync(cancellationToken)
                .ConfigureAwait(false);
            return deleted == 1;
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException)
        {
            // A message inserted this very moment references it (the foreign key said no): it is sent, not garbage.
            AttachmentLog.SweepRaced(logger, id);
            return false;
        }
    }

    private async Task DeleteBytesAsync(string key)
    {
        try
        {
            await files.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The row is gone either way; a file that cannot be deleted now is logged, not fatal to the sweep.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AttachmentLog.DeleteFailed(logger, ex, key);
        }
    }
}
