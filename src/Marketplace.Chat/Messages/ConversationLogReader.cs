using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Messages;

/// <summary>Finds the MAC key with an id; false when it is not held.</summary>
internal delegate bool LogKeyLookup(string keyId, out ReadOnlySpan<byte> key);

/// <summary>
/// Reads a conversation's log as written and verifies it: the internal surface the evidence view and the evidence
/// export build on (entries as written, transitions, the verification, the key ids). No access checks here; callers
/// check first.
/// </summary>
internal sealed class ConversationLogReader(ChatStore store, ChatLogKeys keys)
{
    /// <summary>Gets the ids of the keys this host holds, current first.</summary>
    public IReadOnlyList<string> KeyIds => keys.Ids;

    /// <summary>Gets every entry of a conversation as written, in sequence order.</summary>
    public Task<List<EntryRecord>> EntriesAsync(Guid conversationId, CancellationToken ct) =>
        store.Entries.AsNoTracking().Where(e => e.ConversationId == conversationId).OrderBy(e => e.Sequence).ToListAsync(ct);

    /// <summary>Gets a conversation's transition log, oldest first.</summary>
    public Task<List<TransitionRecord>> TransitionsAsync(Guid conversationId, CancellationToken ct) =>
        store.Transitions.AsNoTracking().Where(t => t.ConversationId == conversationId).OrderBy(t => t.Id).ToListAsync(ct);

    /// <summary>Verifies a conversation's log against its chain and the head on its row.</summary>
    public async Task<ChainVerification> VerifyAsync(Guid conversationId, CancellationToken ct)
    {
        var head = await store.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new { c.LastSequence, c.LastHash }).SingleAsync(ct).ConfigureAwait(false);
        var entries = await EntriesAsync(conversationId, ct).ConfigureAwait(false);
        return Verify(entries, head.LastSequence, head.LastHash, keys.TryGet);
    }

    /// <summary>Builds the evidence view of a conversation: entries as written, marked with their edits and deletion, and the verification.</summary>
    public async Task<ChatEvidence> EvidenceAsync(ConversationRecord conversation, CancellationToken ct)
    {
        var entries = await EntriesAsync(conversation.Id, ct).ConfigureAwait(false);
        var attachmentIds = entries.Where(e => e.AttachmentId is not null).Select(e => e.AttachmentId!.Value).ToList();
        var attachments = attachmentIds.Count == 0
            ? new Dictionary<Guid, AttachmentRecord>()
            : await store.Db.Set<AttachmentRecord>().AsNoTracking().Where(a => attachmentIds.Contains(a.Id))
                .ToDictionaryAsync(a => a.Id, ct).ConfigureAwait(false);
        var changes = entries.Where(e => EntryProjection.IsChange(e.Kind) && e.TargetId is not null)
            .GroupBy(e => e.TargetId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var verification = Verify(entries, conversation.LastSequence, conversation.LastHash, keys.TryGet);
        var view = entries.ConvertAll(e =>
        {
            var own = changes.GetValueOrDefault(e.Id);
            var projected = EntryProjection.IsMessage(e.Kind) ? EntryProjection.ToMessage(e, own, null) : null;
            return new ChatEvidenceEntry(
                e.Id, e.Sequence, e.Kind, e.SystemCode, e.SenderId, e.SenderRole, e.Text, e.TargetId, e.TargetSequence,
                e.AttachmentId is { } id && attachments.TryGetValue(id, out var a) ? a.ToInfo() : null,
                e.AttachmentSha256, EntryProjection.ParseParameters(e.Parameters), e.EventId, e.CreatedAt, e.KeyId, e.PreviousHash, e.Hash,
                projected?.EditedAt,
                own?.Find(c => c.Kind == ChatMessageKind.Deletion)?.CreatedAt,
                projected?.Text);
        });
        return new ChatEvidence(conversation.ToInfo(), view, verification);
    }

    /// <summary>
    /// Verifies entries (in sequence order) against their chain and the head. Pure: the same check runs on rows from
    /// the database and on entries read back from an export. Names the first entry that does not match and why:
    /// a missing sequence or a link to an absent entry is <see cref="ChainDamage.EntryMissing"/>; a link to an entry
    /// stored elsewhere is <see cref="ChainDamage.OrderChanged"/>; a hash that does not match its content and key is
    /// <see cref="ChainDamage.ContentChanged"/>; a key the host lacks is <see cref="ChainDamage.UnknownKey"/>; fewer
    /// entries than the head names is <see cref="ChainDamage.TailTruncated"/>.
    /// </summary>
    public static ChainVerification Verify(IReadOnlyList<EntryRecord> entries, long headSequence, string headHash, LogKeyLookup keys)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(keys);
        var keyIds = new List<string>();
        var positionOfHash = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            positionOfHash.TryAdd(e.Hash, e.Sequence);
        }

        ChainVerification Broken(long sequence, ChainDamage damage, long intact) =>
            new(false, intact, sequence, damage, headHash, keyIds);

        var previous = EntryHasher.Genesis;
        long expected = 1;
        foreach (var e in entries)
        {
            if (!keyIds.Contains(e.KeyId, StringComparer.Ordinal))
            {
                keyIds.Add(e.KeyId);
            }

            if (e.Sequence != expected)
            {
                return Broken(expected, ChainDamage.EntryMissing, expected - 1);
            }

            if (!keys(e.KeyId, out var key))
            {
                return Broken(expected, ChainDamage.UnknownKey, expected - 1);
            }

            var matches = string.Equals(EntryHasher.Compute(key, e), e.Hash, StringComparison.Ordinal);
            if (!string.Equals(e.PreviousHash, previous, StringComparison.Ordinal))
            {
                // The entry links elsewhere: to an entry stored at another position (moved), to nothing (the entry it
                // followed is gone), or its link alone was rewritten (its hash holds for the link it should have).
                if (positionOfHash.TryGetValue(e.PreviousHash, out var at) && at != expected - 1)
                {
                    return Broken(expected, ChainDamage.OrderChanged, expected - 1);
                }

                var relinked = new EntryRecord
                {
                    Id = e.Id, ConversationId = e.ConversationId, Sequence = e.Sequence, Kind = e.Kind, SystemCode = e.SystemCode,
                    SenderId = e.SenderId, SenderRole = e.SenderRole, Text = e.Text, TargetId = e.TargetId, TargetSequence = e.TargetSequence,
                    AttachmentId = e.AttachmentId, AttachmentSha256 = e.AttachmentSha256, Parameters = e.Parameters, EventId = e.EventId,
                    CreatedAt = e.CreatedAt, KeyId = e.KeyId, PreviousHash = previous,
                };
                var onlyLinkChanged = !matches && string.Equals(EntryHasher.Compute(key, relinked), e.Hash, StringComparison.Ordinal);
                return Broken(expected, onlyLinkChanged ? ChainDamage.ContentChanged : ChainDamage.EntryMissing, expected - 1);
            }

            if (!matches)
            {
                return Broken(expected, ChainDamage.ContentChanged, expected - 1);
            }

            previous = e.Hash;
            expected++;
        }

        var count = expected - 1;
        if (count < headSequence)
        {
            return Broken(count + 1, ChainDamage.TailTruncated, count);
        }

        if (count > headSequence)
        {
            // Entries beyond the head were added without the chat's append (which moves the head).
            return Broken(headSequence + 1, ChainDamage.ContentChanged, headSequence);
        }

        if (count > 0 && !string.Equals(previous, headHash, StringComparison.Ordinal))
        {
            return Broken(count, ChainDamage.ContentChanged, count - 1);
        }

        return new ChainVerification(true, count, null, null, headHash, keyIds);
    }
}
