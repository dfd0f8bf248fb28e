using System.Data;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Evidence;

/// <summary>
/// Reads what a dispute's bundle holds from the database, in one snapshot (so a message arriving meanwhile cannot make
/// a log look longer than its head): both logs as written, their heads, transition logs, participants, the
/// attachments' rows, and each log's verification with the host's keys. The bytes are read later, through
/// <see cref="IChatAttachmentStore"/>.
/// </summary>
internal sealed class EvidenceLoader(ChatStore store, ChatLogKeys keys, IChatAttachmentStore attachmentStore)
{
    public async Task<(ConversationRecord Dispute, ConversationRecord Transaction)?> FindAsync(string disputeId, CancellationToken ct)
    {
        var key = ChatModelConfiguration.DisputeKey(disputeId);
        var dispute = await store.Conversations.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Key == key && c.Kind == ConversationKind.Dispute, ct).ConfigureAwait(false);
        if (dispute?.TransactionConversationId is not { } transactionId)
        {
            return null;
        }

        var transaction = await store.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == transactionId, ct).ConfigureAwait(false);
        return transaction is null ? null : (dispute, transaction);
    }

    public async Task<EvidenceBundleContent> LoadAsync(Guid disputeChatId, Guid transactionChatId, string exportedBy, DateTimeOffset exportedAt, CancellationToken ct)
    {
        var strategy = store.Db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            async ct =>
            {
                store.Db.ChangeTracker.Clear();
                await using var snapshot = await store.Db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
                var dispute = await ConversationAsync(disputeChatId, ct).ConfigureAwait(false);
                var transaction = await ConversationAsync(transactionChatId, ct).ConfigureAwait(false);
                var ids = dispute.Entries.Concat(transaction.Entries).Where(e => e.AttachmentId is not null).Select(e => e.AttachmentId!.Value).Distinct().ToList();
                var rows = ids.Count == 0
                    ? []
                    : await store.Db.Set<AttachmentRecord>().AsNoTracking().Where(a => ids.Contains(a.Id)).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
                        .ToListAsync(ct).ConfigureAwait(false);
                await snapshot.CommitAsync(ct).ConfigureAwait(false);
                return new EvidenceBundleContent(
                    dispute.DisputeId ?? "", transaction.TransactionId, exportedAt, exportedBy, transaction, dispute, rows.ConvertAll(Attachment));
            },
            ct).ConfigureAwait(false);
    }

    private async Task<EvidenceConversation> ConversationAsync(Guid id, CancellationToken ct)
    {
        var c = await store.Conversations.AsNoTracking().SingleAsync(x => x.Id == id, ct).ConfigureAwait(false);
        var entries = await store.Entries.AsNoTracking().Where(e => e.ConversationId == id).OrderBy(e => e.Sequence).ToListAsync(ct).ConfigureAwait(false);
        var transitions = await store.Transitions.AsNoTracking().Where(t => t.ConversationId == id).OrderBy(t => t.Id).ToListAsync(ct).ConfigureAwait(false);
        var participants = await store.Participants.AsNoTracking().Where(p => p.ConversationId == id).OrderBy(p => p.JoinedAt).ThenBy(p => p.UserId)
            .ToListAsync(ct).ConfigureAwait(false);
        var verification = ConversationLogReader.Verify(entries, c.LastSequence, c.LastHash, keys.TryGet);
        return new EvidenceConversation(
            c.Id,
            c.Kind.ToString(),
            c.TransactionId,
            c.DisputeId,
            c.State.ToString(),
            participants.ConvertAll(p => new EvidenceParticipant(p.UserId, p.Role.ToString(), p.JoinedAt)),
            new EvidenceHead(c.LastSequence, c.LastHash),
            entries.ConvertAll(ToEvidence),
            transitions.ConvertAll(t => new EvidenceTransition(t.FromState?.ToString(), t.ToState.ToString(), t.Trigger, t.ActorId, t.EventId, t.OccurredAt)),
            new EvidenceChainResult(verification.IsIntact, verification.MessageCount, verification.FirstBrokenSequence, verification.Damage?.ToString(), MacChecked: true));
    }

    private EvidenceAttachment Attachment(AttachmentRecord a) => new(
        a.Id, a.ConversationId, a.Kind.ToString(), a.FileName, a.ContentType, a.Length, a.Width, a.Height, a.Sha256, a.MetadataRemoved, a.CreatedAt,
        ct => attachmentStore.OpenReadAsync(a.StorageKey, ct),
        a.PreviewKey is { } previewKey ? ct => attachmentStore.OpenReadAsync(previewKey, ct) : null,
        a.PreviewContentType);

    /// <summary>An entry as written, every field in the form its MAC covers (see <see cref="EntryHasher"/>).</summary>
    internal static EvidenceEntry ToEvidence(EntryRecord e) => new(
        e.Sequence, e.Id, e.Kind.ToString(), e.SystemCode, e.SenderId, e.SenderRole?.ToString(), e.Text, e.TargetId, e.TargetSequence,
        e.AttachmentId, e.AttachmentSha256, e.Parameters, e.EventId, e.CreatedAt, e.KeyId, e.PreviousHash, e.Hash);

    /// <summary>The entry back as the log's record, so the log's own hasher and verifier check it; null when a field is not one the log writes.</summary>
    internal static EntryRecord? ToRecord(Guid conversationId, EvidenceEntry e)
    {
        if (!Enum.TryParse<ChatMessageKind>(e.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind) || kind.ToString() != e.Kind)
        {
            return null;
        }

        ParticipantRole? role = null;
        if (e.SenderRole is not null)
        {
            if (!Enum.TryParse<ParticipantRole>(e.SenderRole, ignoreCase: false, out var parsed) || parsed.ToString() != e.SenderRole)
            {
                return null;
            }

            role = parsed;
        }

        return new EntryRecord
        {
            Id = e.Id, ConversationId = conversationId, Sequence = e.Sequence, Kind = kind, SystemCode = e.SystemCode, SenderId = e.SenderId,
            SenderRole = role, Text = e.Text, TargetId = e.TargetId, TargetSequence = e.TargetSequence, AttachmentId = e.AttachmentId,
            AttachmentSha256 = e.AttachmentSha256, Parameters = e.Parameters, EventId = e.EventId, CreatedAt = e.CreatedAt,
            KeyId = e.KeyId ?? "", PreviousHash = e.PreviousHash, Hash = e.Hash,
        };
    }
}
