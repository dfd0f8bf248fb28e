using Marketplace.Chat.Access;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Persistence;
using Marketplace.Chat.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Implements <see cref="IChatMessaging"/>. A send, an edit and a deletion are appends to the conversation's log
/// (<see cref="ConversationLog"/>): the access check runs again against the row locked for the append, so an entry can
/// never slip into a chat that froze a moment earlier, and a rollback never leaves a gap. Reads project the log.
/// </summary>
internal sealed class ChatMessagingService(
    ChatStore store,
    IServiceProvider services,
    ChatMetrics metrics,
    AppendQueue queue,
    IOptions<ChatOptions> options,
    ILogger<ChatMessagingService> logger) : IChatMessaging
{
    // Resolved on first use: a party's text send (the hot path, one DI scope per hub call) needs none of them, and
    // resolving them (the lifecycle brings the host's party resolver, the publisher its sinks) cost more than the send.
    private ConversationLog? _log;
    private ConversationLogReader? _reader;
    private ChatLifecycleService? _lifecycle;
    private ChatEventPublisher? _events;

    private const int ListPreviewLength = 120;

    private ConversationLog Log => _log ??= services.GetRequiredService<ConversationLog>();

    private ConversationLogReader Reader => _reader ??= services.GetRequiredService<ConversationLogReader>();

    private ChatLifecycleService Lifecycle => _lifecycle ??= services.GetRequiredService<ChatLifecycleService>();

    private ChatEventPublisher Events => _events ??= services.GetRequiredService<ChatEventPublisher>();
    private static readonly ChatAction[] AllActions = Enum.GetValues<ChatAction>();

    public async Task<ChatConversationView> GetViewAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken)
    {
        var (conversation, _) = await AuthorizeAsync(user, conversationId, ChatAction.Read, cancellationToken).ConfigureAwait(false);
        return await BuildViewAsync(user, conversation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ChatConversationView> GetTransactionViewAsync(ChatUser user, string transactionId, CancellationToken cancellationToken)
    {
        var conversation = await OpenAsync(user, ConversationKind.Transaction, transactionId, cancellationToken).ConfigureAwait(false);
        return await BuildViewAsync(user, conversation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ChatConversationView> GetDisputeViewAsync(ChatUser user, string disputeId, CancellationToken cancellationToken)
    {
        var conversation = await OpenAsync(user, ConversationKind.Dispute, disputeId, cancellationToken).ConfigureAwait(false);
        return await BuildViewAsync(user, conversation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finds a transaction or dispute chat by the host's id and checks the user may read it; an administrator's first
    /// look at a dispute joins them to it. Returns the conversation as it is after that.
    /// </summary>
    internal async Task<ConversationRecord> OpenAsync(ChatUser user, ConversationKind kind, string? externalId, CancellationToken cancellationToken)
    {
        ChatInput.RequireId(externalId, kind == ConversationKind.Transaction ? "transaction id" : "dispute id");
        var key = kind == ConversationKind.Transaction
            ? ChatModelConfiguration.TransactionKey(externalId ?? "")
            : ChatModelConfiguration.DisputeKey(externalId ?? "");
        // One query, the same for a conversation that exists but is not the user's and for one that does not exist, and
        // the same decision after it: "not available" takes the same path and the same time either way.
        RequireUser(user, ChatAction.Read, Guid.Empty);
        var found = await store.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Key == key, cancellationToken).ConfigureAwait(false);
        var (conversation, relation) = await AuthorizeAsync(user, found, ChatAction.Read, found?.Id ?? Guid.Empty, cancellationToken).ConfigureAwait(false);
        var id = conversation.Id;
        if (kind == ConversationKind.Dispute && relation == ChatRelation.Admin
            && await Lifecycle.JoinAsAdminAsync(id, user, cancellationToken).ConfigureAwait(false))
        {
            conversation = await store.Conversations.AsNoTracking().SingleAsync(c => c.Id == id, cancellationToken).ConfigureAwait(false);
        }

        return conversation;
    }

    public Task<ChatMessage> SendTextAsync(ChatUser user, Guid conversationId, Guid messageId, string text, CancellationToken cancellationToken) =>
        SendAsync(user, conversationId, messageId, ChatMessageKind.Text, CleanText(text, allowEmpty: false), null, null, cancellationToken);

    /// <summary>
    /// Sends an image or file message that references an upload: the caller's own, to this conversation, not yet sent.
    /// Sending again with the same <paramref name="messageId"/> returns the stored message.
    /// </summary>
    public async Task<ChatMessage> SendAttachmentAsync(
        ChatUser user, Guid conversationId, Guid messageId, Guid attachmentId, string? caption, CancellationToken cancellationToken)
    {
        var text = CleanCaption(caption);
        if (messageId == Guid.Empty)
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "A message needs a client-generated id (a non-empty GUID).");
        }

        if (await FindRetryAsync(user, conversationId, messageId, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        await AuthorizeAsync(user, conversationId, ChatAction.Write, cancellationToken).ConfigureAwait(false);
        var attachments = store.Db.Set<AttachmentRecord>();
        var attachment = await attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId, cancellationToken).ConfigureAwait(false);
        if (attachment is null || attachment.ConversationId != conversationId || !string.Equals(attachment.UploaderId, user.UserId, StringComparison.Ordinal))
        {
            throw AttachmentNotAvailable();
        }

        if (await store.Entries.AnyAsync(m => m.AttachmentId == attachmentId, cancellationToken).ConfigureAwait(false))
        {
            throw AttachmentAlreadyUsed();
        }

        var kind = attachment.Kind == AttachmentKind.Image ? ChatMessageKind.Image : ChatMessageKind.File;
        try
        {
            return await SendAsync(user, conversationId, messageId, kind, text, attachmentId, attachment.Sha256, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // The unique foreign key on entries.attachment_id decided a race: another message took the attachment
            // first, or the sweep removed it a moment before this insert.
            if (await store.Entries.AnyAsync(m => m.AttachmentId == attachmentId, CancellationToken.None).ConfigureAwait(false))
            {
                throw AttachmentAlreadyUsed();
            }

            if (!await attachments.AnyAsync(a => a.Id == attachmentId, CancellationToken.None).ConfigureAwait(false))
            {
                throw AttachmentNotAvailable();
            }

            throw;
        }
    }

    /// <summary>Stores a user message of any kind; image and file messages pass their attachment and its hash.</summary>
    internal async Task<ChatMessage> SendAsync(
        ChatUser user,
        Guid conversationId,
        Guid messageId,
        ChatMessageKind kind,
        string text,
        Guid? attachmentId,
        string? attachmentSha256,
        CancellationToken cancellationToken)
    {
        if (messageId == Guid.Empty)
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "A message needs a client-generated id (a non-empty GUID).");
        }

        // A party's text goes straight to the group commit: the access check under the batch's lock is the one that
        // counts, so no read before it. An administrator may first have to join (a dispute), so they take the check here.
        var batched = kind == ChatMessageKind.Text && attachmentId is null && queue.Supports(store);
        if (batched && !user.IsAdmin && !string.IsNullOrEmpty(user.UserId))
        {
            return await SendBatchedAsync(user, conversationId, messageId, text, cancellationToken).ConfigureAwait(false);
        }

        // A retry is rare, so its stored copy is looked up only when something refuses the send (the state changed
        // since the first attempt, or the insert meets the message id's unique key): one round trip less per send.
        ChatRelation relation;
        try
        {
            (_, relation) = await AuthorizeAsync(user, conversationId, ChatAction.Write, cancellationToken).ConfigureAwait(false);
        }
        catch (ChatException)
        {
            if (await FindRetryAsync(user, conversationId, messageId, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }

            throw;
        }

        if (relation == ChatRelation.Admin)
        {
            await Lifecycle.JoinAsAdminAsync(conversationId, user, cancellationToken).ConfigureAwait(false);
        }

        if (batched)
        {
            return await SendBatchedAsync(user, conversationId, messageId, text, cancellationToken).ConfigureAwait(false);
        }

        ChatConversationInfo? info = null;
        EntryRecord record;
        try
        {
            record = await store.InTransactionAsync(
                async ct =>
                {
                    var draft = new EntryDraft(messageId, kind, store.Now())
                    {
                        SenderId = user.UserId, Text = text, AttachmentId = attachmentId, AttachmentSha256 = attachmentSha256,
                    };
                    var appended = await Log.AppendAsync(conversationId, draft, (locked, d) => d with { SenderRole = AllowedUnderLock(locked, user, ChatAction.Write) }, ct)
                        .ConfigureAwait(false)
                        ?? throw Refused(ChatAccessPolicy.NotAvailable, ChatAction.Write, conversationId);

                    // The sender has read their own message. A writer is always a participant (parties from registration,
                    // administrators joined above) and their message is the newest under the lock, so a plain update is
                    // exact; it rides in the same batch as the INSERT: no extra round trip, no second commit.
                    var participant = store.Participants.Attach(new ParticipantRecord { ConversationId = conversationId, UserId = user.UserId }).Entity;
                    participant.LastReadSequence = appended.Entry.Sequence;
                    info = appended.Conversation.ToInfo();
                    return appended.Entry;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbUpdateException or ChatException)
        {
            // The message id is already stored (a retry, or a retry racing the original): one copy, the first.
            var raced = await FindRetryAsync(user, conversationId, messageId, cancellationToken).ConfigureAwait(false);
            if (raced is null)
            {
                throw;
            }

            return raced;
        }

        metrics.MessageSent(kind.ToString());
        var sent = EntryProjection.ToMessage(record, null, await AttachmentOfAsync(record, CancellationToken.None).ConfigureAwait(false));
        await Events.MessageAddedAsync(info!, sent, CancellationToken.None).ConfigureAwait(false);
        return sent;
    }

    /// <summary>
    /// Sends a text through the group commit (<see cref="AppendQueue"/>): acknowledged once its batch committed; its
    /// event is published by the queue, in the conversation's sequence order.
    /// </summary>
    private async Task<ChatMessage> SendBatchedAsync(ChatUser user, Guid conversationId, Guid messageId, string text, CancellationToken cancellationToken)
    {
        var outcome = await queue.AppendAsync(new AppendRequest(user, conversationId, messageId, text, store.Now()), cancellationToken)
            .ConfigureAwait(false);
        if (outcome.Entry is { } entry)
        {
            return EntryProjection.ToMessage(entry, null, null);
        }

        // Refused under the lock, or the id is stored: a retry of a stored message returns it (also once the chat froze).
        if (await FindRetryAsync(user, conversationId, messageId, CancellationToken.None).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        throw Refused(outcome.Refusal ?? ChatAccessPolicy.NotAvailable, ChatAction.Write, conversationId);
    }

    public async Task<IReadOnlyList<ChatListItem>> ListConversationsAsync(ChatUser user, int limit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(user.UserId))
        {
            throw new ChatException(ChatErrorCode.AuthenticationRequired, "Sign in to use the chat.");
        }

        ChatInput.RequireId(user.UserId, "user id", ChatModelConfiguration.UserIdLength);
        var userId = user.UserId;
        var rows = await (
                from p in store.Participants.AsNoTracking()
                where p.UserId == userId
                join c in store.Conversations.AsNoTracking() on p.ConversationId equals c.Id
                let last = store.Entries
                    .Where(m => m.ConversationId == c.Id && m.Kind != ChatMessageKind.Edit && m.Kind != ChatMessageKind.Deletion)
                    .OrderByDescending(m => m.Sequence)
                    .Select(m => new
                    {
                        m.Kind,
                        Text = store.Entries.Where(e => e.TargetId == m.Id && e.Kind == ChatMessageKind.Edit)
                            .OrderByDescending(e => e.Sequence).Select(e => e.Text).FirstOrDefault() ?? m.Text,
                        m.CreatedAt,
                        Deleted = store.Entries.Any(e => e.TargetId == m.Id && e.Kind == ChatMessageKind.Deletion),
                    })
                    .FirstOrDefault()
                orderby last == null ? c.CreatedAt : last.CreatedAt descending, c.Id
                select new
                {
                    c.Id,
                    c.Kind,
                    c.TransactionId,
                    c.DisputeId,
                    c.State,
                    p.Role,
                    c.LastSequence,
                    Unread = store.Entries.Count(m => m.ConversationId == c.Id && m.Sequence > p.LastReadSequence && m.SenderId != userId
                        && m.Kind != ChatMessageKind.Edit && m.Kind != ChatMessageKind.Deletion),
                    Last = last,
                })
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        return rows
            .Select(r => new ChatListItem(
                r.Id, r.Kind, r.TransactionId, r.DisputeId, r.State, r.Role, r.LastSequence, r.Unread,
                r.Last?.Kind, r.Last is null || r.Last.Deleted ? null : MessageText.Preview(r.Last.Kind, r.Last.Text ?? "", ListPreviewLength), r.Last?.CreatedAt))
            .ToList();
    }

    public async Task<ChatHistoryPage> GetHistoryAsync(ChatUser user, Guid conversationId, HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.BeforeSequence is not null && query.AfterSequence is not null)
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "Ask for messages before a sequence or after it, not both.");
        }

        ChatInput.RequireSequence(query.BeforeSequence, "before sequence");
        ChatInput.RequireSequence(query.AfterSequence, "after sequence");

        await AuthorizeAsync(user, conversationId, ChatAction.Read, cancellationToken).ConfigureAwait(false);
        var limit = Math.Clamp(query.Limit, 1, options.Value.MaxHistoryPageSize);
        var messages = store.Entries.AsNoTracking().Where(m => m.ConversationId == conversationId);
        List<EntryRecord> rows;
        if (query.AfterSequence is { } after)
        {
            rows = await messages.Where(m => m.Sequence > after).OrderBy(m => m.Sequence).Take(limit + 1)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var before = query.BeforeSequence ?? long.MaxValue;
            rows = await messages.Where(m => m.Sequence < before).OrderByDescending(m => m.Sequence).Take(limit + 1)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return new ChatHistoryPage(await ProjectAsync(rows, cancellationToken).ConfigureAwait(false), hasMore);
    }

    public async Task<int> MarkReadAsync(ChatUser user, Guid conversationId, long sequence, CancellationToken cancellationToken)
    {
        var (conversation, _) = await AuthorizeAsync(user, conversationId, ChatAction.MarkRead, cancellationToken).ConfigureAwait(false);
        var target = Math.Clamp(sequence, 0, conversation.LastSequence);
        var moved = await store.Participants
            .Where(p => p.ConversationId == conversationId && p.UserId == user.UserId && p.LastReadSequence < target)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastReadSequence, target), cancellationToken)
            .ConfigureAwait(false);
        if (moved > 0)
        {
            await Events.ReadPositionChangedAsync(conversationId, user.UserId, target, CancellationToken.None).ConfigureAwait(false);
        }

        var lastRead = await ReadPositionAsync(conversation, user, cancellationToken).ConfigureAwait(false);
        return await UnreadAsync(conversationId, user, lastRead, cancellationToken).ConfigureAwait(false);
    }

    public Task<ChatMessage> EditAsync(ChatUser user, Guid conversationId, Guid messageId, string text, CancellationToken cancellationToken)
    {
        var cleaned = CleanText(text, allowEmpty: false);
        return ChangeOwnAsync(user, conversationId, messageId, ChatAction.EditOwn, cleaned, cancellationToken);
    }

    public Task<ChatMessage> DeleteAsync(ChatUser user, Guid conversationId, Guid messageId, CancellationToken cancellationToken) =>
        ChangeOwnAsync(user, conversationId, messageId, ChatAction.DeleteOwn, null, cancellationToken);

    public async Task<ChainVerification> VerifyChainAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(user, conversationId, ChatAction.Read, cancellationToken).ConfigureAwait(false);
        return await Reader.VerifyAsync(conversationId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ChatEvidence> GetEvidenceAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken)
    {
        var (conversation, _) = await AuthorizeAsync(user, conversationId, ChatAction.ReadEvidence, cancellationToken).ConfigureAwait(false);
        return await Reader.EvidenceAsync(conversation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends an edit (new text) or a deletion (no text) pointing at one of the user's own messages. The message is
    /// read before the lock (entries never change); whether it was deleted meanwhile is checked under the lock.
    /// Pushes the change entry, then the message's new projection, and returns that projection.
    /// </summary>
    private async Task<ChatMessage> ChangeOwnAsync(
        ChatUser user, Guid conversationId, Guid messageId, ChatAction action, string? newText, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(user, conversationId, action, cancellationToken).ConfigureAwait(false);
        var target = await store.Entries.AsNoTracking()
            .SingleOrDefaultAsync(m => m.Id == messageId && m.ConversationId == conversationId, cancellationToken).ConfigureAwait(false);
        if (target is null || EntryProjection.IsChange(target.Kind)
            || await store.Entries.AnyAsync(e => e.TargetId == target.Id && e.Kind == ChatMessageKind.Deletion, cancellationToken).ConfigureAwait(false))
        {
            throw new ChatException(ChatErrorCode.MessageNotFound, "That message does not exist in this conversation.");
        }

        if (!EntryProjection.IsMessage(target.Kind) || !string.Equals(target.SenderId, user.UserId, StringComparison.Ordinal))
        {
            throw new ChatException(ChatErrorCode.NotYourMessage, "You can only change your own messages.");
        }

        var now = store.Now();
        if (now - target.CreatedAt > options.Value.EditWindow)
        {
            throw new ChatException(
                ChatErrorCode.EditNotAllowed,
                $"Messages can be changed for {FormatWindow(options.Value.EditWindow)} after they are sent.");
        }

        ChatConversationInfo? info = null;
        var change = await store.InTransactionAsync(
            async ct =>
            {
                var draft = new EntryDraft(Guid.NewGuid(), newText is null ? ChatMessageKind.Deletion : ChatMessageKind.Edit, now)
                {
                    SenderId = user.UserId, Text = newText, TargetId = target.Id, TargetSequence = target.Sequence,
                };
                var appended = await Log.AppendAsync(conversationId, draft, (locked, d) => d with { SenderRole = AllowedUnderLock(locked, user, action) }, ct)
                    .ConfigureAwait(false)
                    ?? throw Refused(ChatAccessPolicy.NotAvailable, action, conversationId);

                // Under the lock, so of two racing changes the one that commits second sees the first one's deletion.
                if (await store.Entries.AnyAsync(e => e.TargetId == target.Id && e.Kind == ChatMessageKind.Deletion, ct).ConfigureAwait(false))
                {
                    throw new ChatException(ChatErrorCode.MessageNotFound, "That message does not exist in this conversation.");
                }

                info = appended.Conversation.ToInfo();
                return appended.Entry;
            },
            cancellationToken).ConfigureAwait(false);

        var changes = await ChangesOfAsync([target.Id], CancellationToken.None).ConfigureAwait(false);
        var targetChanges = changes.GetValueOrDefault(target.Id);
        var attachment = await AttachmentOfAsync(target, CancellationToken.None).ConfigureAwait(false);
        var result = EntryProjection.ToMessage(target, targetChanges, attachment);
        await Events.MessageAddedAsync(info!, EntryProjection.ToMessage(change, targetChanges, null), CancellationToken.None).ConfigureAwait(false);
        await Events.MessageChangedAsync(info!, result, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    /// <summary>Checks, against the row locked for an append, that the user may still do it; returns their role for the entry.</summary>
    private ParticipantRole AllowedUnderLock(ConversationRecord locked, ChatUser user, ChatAction action)
    {
        // The state may have changed since the first check: this one, under the lock, is the one that counts.
        var relation = RelationOf(locked, user);
        var decision = ChatAccessPolicy.Decide(locked.Kind, locked.State, relation, action, locked.HasDispute);
        if (!decision.Allowed)
        {
            throw Refused(decision, action, locked.Id);
        }

        return RoleOf(relation);
    }

    internal async Task<(ConversationRecord Conversation, ChatRelation Relation)> AuthorizeAsync(
        ChatUser user, Guid conversationId, ChatAction action, CancellationToken ct)
    {
        RequireUser(user, action, conversationId);
        var conversation = await store.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, ct).ConfigureAwait(false);
        return await AuthorizeAsync(user, conversation, action, conversationId, ct).ConfigureAwait(false);
    }

    private void RequireUser(ChatUser user, ChatAction action, Guid conversationId)
    {
        if (string.IsNullOrEmpty(user.UserId))
        {
            throw Refused(ChatAccessPolicy.NotAvailable, action, conversationId);
        }

        ChatInput.RequireId(user.UserId, "user id", ChatModelConfiguration.UserIdLength);
    }

    /// <summary>Decides on a conversation already read (or not found): the same refusal for both when the user is an outsider.</summary>
    private async Task<(ConversationRecord Conversation, ChatRelation Relation)> AuthorizeAsync(
        ChatUser user, ConversationRecord? conversation, ChatAction action, Guid conversationId, CancellationToken ct)
    {
        if (conversation is null)
        {
            throw Refused(ChatAccessPolicy.NotAvailable, action, conversationId);
        }

        var relation = RelationOf(conversation, user);
        var disputed = await EvidenceWindow.IsOpenAsync(store, options.Value, conversation, relation, ct).ConfigureAwait(false);
        var decision = ChatAccessPolicy.Decide(conversation.Kind, conversation.State, relation, action, disputed);
        if (!decision.Allowed)
        {
            throw Refused(decision, action, conversationId);
        }

        return (conversation, relation);
    }

    private async Task<ChatConversationView> BuildViewAsync(ChatUser user, ConversationRecord conversation, CancellationToken ct)
    {
        var participants = await store.Participants.AsNoTracking().Where(p => p.ConversationId == conversation.Id)
            .OrderBy(p => p.JoinedAt).ThenBy(p => p.Role)
            .Select(p => new ChatParticipantInfo(p.UserId, p.Role, p.LastReadSequence))
            .ToListAsync(ct).ConfigureAwait(false);
        var relation = RelationOf(conversation, user);
        var disputed = await EvidenceWindow.IsOpenAsync(store, options.Value, conversation, relation, ct).ConfigureAwait(false);
        var permissions = AllActions.ToDictionary(
            a => a, a => ChatAccessPolicy.Decide(conversation.Kind, conversation.State, relation, a, disputed));
        var lastRead = participants.Find(p => p.UserId == user.UserId)?.LastReadSequence ?? conversation.LastSequence;
        var unread = await UnreadAsync(conversation.Id, user, lastRead, ct).ConfigureAwait(false);
        return new ChatConversationView(conversation.ToInfo(), RoleOf(relation), participants, permissions, lastRead, unread);
    }

    private async Task<long> ReadPositionAsync(ConversationRecord conversation, ChatUser user, CancellationToken ct) =>
        await store.Participants.Where(p => p.ConversationId == conversation.Id && p.UserId == user.UserId)
            .Select(p => (long?)p.LastReadSequence).SingleOrDefaultAsync(ct).ConfigureAwait(false)
        ?? conversation.LastSequence;

    private Task<int> UnreadAsync(Guid conversationId, ChatUser user, long lastRead, CancellationToken ct) =>
        store.Entries.CountAsync(
            m => m.ConversationId == conversationId && m.Sequence > lastRead && m.SenderId != user.UserId
                && m.Kind != ChatMessageKind.Edit && m.Kind != ChatMessageKind.Deletion,
            ct);

    internal async Task<ChatMessage?> FindRetryAsync(ChatUser user, Guid conversationId, Guid messageId, CancellationToken ct)
    {
        var existing = await store.Entries.AsNoTracking().SingleOrDefaultAsync(m => m.Id == messageId, ct).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        if (existing.ConversationId != conversationId || !EntryProjection.IsMessage(existing.Kind)
            || !string.Equals(existing.SenderId, user.UserId, StringComparison.Ordinal))
        {
            throw new ChatException(ChatErrorCode.MessageIdConflict, "This message id is already used; generate a new one for a new message.");
        }

        return (await ProjectAsync([existing], ct).ConfigureAwait(false))[0];
    }

    private async Task<AttachmentRecord?> AttachmentOfAsync(EntryRecord entry, CancellationToken ct) =>
        entry.AttachmentId is { } id
            ? await store.Db.Set<AttachmentRecord>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct).ConfigureAwait(false)
            : null;

    /// <summary>Loads the edits and deletions of the given messages, in sequence order, in one query.</summary>
    private async Task<Dictionary<Guid, List<EntryRecord>>> ChangesOfAsync(List<Guid> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        var changes = await store.Entries.AsNoTracking()
            .Where(e => e.TargetId != null && messageIds.Contains(e.TargetId.Value))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct).ConfigureAwait(false);
        return changes.GroupBy(e => e.TargetId!.Value).ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>Projects a page of entries with the changes of its messages and their attachments (two queries at most).</summary>
    private async Task<List<ChatMessage>> ProjectAsync(List<EntryRecord> entries, CancellationToken ct)
    {
        var messageIds = entries.Where(e => EntryProjection.IsMessage(e.Kind)).Select(e => e.Id)
            .Concat(entries.Where(e => EntryProjection.IsChange(e.Kind) && e.TargetId is not null).Select(e => e.TargetId!.Value))
            .Distinct().ToList();
        var changes = await ChangesOfAsync(messageIds, ct).ConfigureAwait(false);
        var ids = entries
            .Where(e => e.AttachmentId is not null && !(changes.GetValueOrDefault(e.Id)?.Exists(c => c.Kind == ChatMessageKind.Deletion) ?? false))
            .Select(e => e.AttachmentId!.Value).ToList();
        var attachments = ids.Count == 0
            ? new Dictionary<Guid, AttachmentRecord>()
            : await store.Db.Set<AttachmentRecord>().AsNoTracking().Where(a => ids.Contains(a.Id))
                .ToDictionaryAsync(a => a.Id, ct).ConfigureAwait(false);
        return entries.ConvertAll(e => EntryProjection.ToMessage(
            e,
            changes.GetValueOrDefault(EntryProjection.IsChange(e.Kind) ? e.TargetId ?? Guid.Empty : e.Id),
            e.AttachmentId is { } id ? attachments.GetValueOrDefault(id) : null));
    }

    private ChatException AttachmentNotAvailable()
    {
        metrics.Refused(ChatErrorCode.AttachmentNotAvailable);
        return new ChatException(
            ChatErrorCode.AttachmentNotAvailable, "That attachment does not exist, is not yours, or belongs to another conversation.") { Counted = true };
    }

    private ChatException AttachmentAlreadyUsed()
    {
        metrics.Refused(ChatErrorCode.AttachmentAlreadyUsed);
        return new ChatException(ChatErrorCode.AttachmentAlreadyUsed, "That attachment was already sent; upload it again to send it again.") { Counted = true };
    }

    private string CleanText(string? text, bool allowEmpty)
    {
        var max = options.Value.MaxMessageLength;
        if (text is not null && text.Length > max * 4L)
        {
            throw new ChatException(ChatErrorCode.MessageTooLong, $"Messages are limited to {max} characters.");
        }

        // Control characters (NUL included) are removed, as ever; what is left must be valid Unicode to be stored.
        var cleaned = MessageText.Clean(text ?? "");
        ChatInput.RequireStorableText(cleaned, "message");
        if (!allowEmpty && MessageText.IsBlank(cleaned))
        {
            throw new ChatException(ChatErrorCode.MessageEmpty, "The message is empty.");
        }

        if (cleaned.Length > max)
        {
            throw new ChatException(ChatErrorCode.MessageTooLong, $"Messages are limited to {max} characters.");
        }

        return cleaned;
    }

    /// <summary>Cleans and checks an attachment caption (may be empty).</summary>
    internal string CleanCaption(string? caption) => CleanText(caption, allowEmpty: true);

    private ChatException Refused(AccessDecision decision, ChatAction action, Guid conversationId)
    {
        var code = decision.Code ?? ChatErrorCode.ConversationNotAvailable;
        metrics.Refused(code);
        ChatLog.AccessRefused(logger, action.ToString(), conversationId, code.ToString());
        return new ChatException(code, decision.Reason ?? ChatAccessPolicy.NotAvailableReason) { Counted = true };
    }

    internal static ChatRelation RelationOf(ConversationRecord conversation, ChatUser user)
    {
        if (string.Equals(user.UserId, conversation.BuyerId, StringComparison.Ordinal))
        {
            return ChatRelation.Buyer;
        }

        if (string.Equals(user.UserId, conversation.SellerId, StringComparison.Ordinal))
        {
            return ChatRelation.Seller;
        }

        return user.IsAdmin ? ChatRelation.Admin : ChatRelation.Outsider;
    }

    internal static ParticipantRole RoleOf(ChatRelation relation) => relation switch
    {
        ChatRelation.Buyer => ParticipantRole.Buyer,
        ChatRelation.Seller => ParticipantRole.Seller,
        _ => ParticipantRole.Admin,
    };

    private static string FormatWindow(TimeSpan window) =>
        window.TotalMinutes >= 1 ? $"{window.TotalMinutes:0.#} minutes" : $"{window.TotalSeconds:0} seconds";

}
