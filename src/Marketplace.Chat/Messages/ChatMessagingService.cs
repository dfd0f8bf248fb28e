using Marketplace.Chat.Access;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Implements <see cref="IChatMessaging"/>. A send reserves the next sequence under the conversation's row lock,
/// re-checks access against the state it finds there, links the hash chain and inserts, all in one transaction:
/// a send can never slip into a chat that froze a moment earlier, and a rollback never leaves a gap.
/// </summary>
internal sealed class ChatMessagingService(
    ChatStore store,
    ChatLifecycleService lifecycle,
    ChatEventPublisher events,
    ChatMetrics metrics,
    IOptions<ChatOptions> options,
    ILogger<ChatMessagingService> logger) : IChatMessaging
{
    private const int ListPreviewLength = 120;
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
        var key = kind == ConversationKind.Transaction
            ? ChatModelConfiguration.TransactionKey(externalId ?? "")
            : ChatModelConfiguration.DisputeKey(externalId ?? "");
        var id = await IdByKeyAsync(key, cancellationToken).ConfigureAwait(false);
        var (conversation, relation) = await AuthorizeAsync(user, id, ChatAction.Read, cancellationToken).ConfigureAwait(false);
        if (kind == ConversationKind.Dispute && relation == ChatRelation.Admin
            && await lifecycle.JoinAsAdminAsync(id, user, cancellationToken).ConfigureAwait(false))
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

        if (await store.Messages.AnyAsync(m => m.AttachmentId == attachmentId, cancellationToken).ConfigureAwait(false))
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
            // The unique foreign key on messages.attachment_id decided a race: another message took the attachment
            // first, or the sweep removed it a moment before this insert.
            if (await store.Messages.AnyAsync(m => m.AttachmentId == attachmentId, CancellationToken.None).ConfigureAwait(false))
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
            await lifecycle.JoinAsAdminAsync(conversationId, user, cancellationToken).ConfigureAwait(false);
        }

        ChatConversationInfo? info = null;
        MessageRecord record;
        try
        {
            record = await store.InTransactionAsync(
                async ct =>
                {
                    var locked = await store.ReserveSequenceAsync(conversationId, ct).ConfigureAwait(false);
                    if (locked is null)
                    {
                        throw Refused(ChatAccessPolicy.NotAvailable, ChatAction.Write, conversationId);
                    }

                    // The state may have changed since the first check: this one, under the lock, is the one that counts.
                    var lockedRelation = RelationOf(locked, user);
                    var decision = ChatAccessPolicy.Decide(locked.Kind, locked.State, lockedRelation, ChatAction.Write, locked.HasDispute);
                    if (!decision.Allowed)
                    {
                        throw Refused(decision, ChatAction.Write, conversationId);
                    }

                    var sequence = locked.LastSequence;
                    var previous = await store.PreviousHashAsync(conversationId, sequence, ct).ConfigureAwait(false);
                    var message = store.AddMessage(
                        messageId, conversationId, sequence, previous, kind, user.UserId, RoleOf(lockedRelation), text, null,
                        store.Now(), attachmentId, attachmentSha256);
                    // The sender has read their own message. A writer is always a participant (parties from registration,
                    // administrators joined above) and their message is the newest under the lock, so a plain update is
                    // exact; it rides in the same batch as the INSERT: no extra round trip, no second commit.
                    var reader = store.Participants.Attach(new ParticipantRecord { ConversationId = conversationId, UserId = user.UserId }).Entity;
                    reader.LastReadSequence = sequence;
                    info = locked.ToInfo();
                    return message;
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
        var sent = await ToMessageAsync(record, CancellationToken.None).ConfigureAwait(false);
        await events.MessageAddedAsync(info!, sent, CancellationToken.None).ConfigureAwait(false);
        return sent;
    }

    public async Task<IReadOnlyList<ChatListItem>> ListConversationsAsync(ChatUser user, int limit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(user.UserId))
        {
            throw new ChatException(ChatErrorCode.AuthenticationRequired, "Sign in to use the chat.");
        }

        var userId = user.UserId;
        var rows = await (
                from p in store.Participants.AsNoTracking()
                where p.UserId == userId
                join c in store.Conversations.AsNoTracking() on p.ConversationId equals c.Id
                let last = store.Messages.Where(m => m.ConversationId == c.Id).OrderByDescending(m => m.Sequence)
                    .Select(m => new { m.Kind, m.Text, m.SentAt, m.DeletedAt }).FirstOrDefault()
                orderby last == null ? c.CreatedAt : last.SentAt descending, c.Id
                select new
                {
                    c.Id,
                    c.Kind,
                    c.TransactionId,
                    c.DisputeId,
                    c.State,
                    p.Role,
                    c.LastSequence,
                    Unread = store.Messages.Count(m => m.ConversationId == c.Id && m.Sequence > p.LastReadSequence && m.SenderId != userId),
                    Last = last,
                })
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        return rows
            .Select(r => new ChatListItem(
                r.Id, r.Kind, r.TransactionId, r.DisputeId, r.State, r.Role, r.LastSequence, r.Unread,
                r.Last?.Kind, r.Last is null || r.Last.DeletedAt is not null ? null : MessageText.Preview(r.Last.Kind, r.Last.Text, ListPreviewLength), r.Last?.SentAt))
            .ToList();
    }

    public async Task<ChatHistoryPage> GetHistoryAsync(ChatUser user, Guid conversationId, HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.BeforeSequence is not null && query.AfterSequence is not null)
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "Ask for messages before a sequence or after it, not both.");
        }

        await AuthorizeAsync(user, conversationId, ChatAction.Read, cancellationToken).ConfigureAwait(false);
        var limit = Math.Clamp(query.Limit, 1, options.Value.MaxHistoryPageSize);
        var messages = store.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId);
        List<MessageRecord> rows;
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

        return new ChatHistoryPage(await ToMessagesAsync(rows, cancellationToken).ConfigureAwait(false), hasMore);
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
            await events.ReadPositionChangedAsync(conversationId, user.UserId, target, CancellationToken.None).ConfigureAwait(false);
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

        // The hash covers what was first said: for an edited message that is its oldest revision.
        var originals = await store.Revisions.AsNoTracking()
            .Where(r => store.Messages.Any(m => m.Id == r.MessageId && m.ConversationId == conversationId))
            .GroupBy(r => r.MessageId)
            .Select(g => g.OrderBy(r => r.Id).First())
            .ToDictionaryAsync(r => r.MessageId, r => r.Text, cancellationToken)
            .ConfigureAwait(false);

        var previous = MessageHasher.Genesis;
        long expected = 1;
        await foreach (var m in store.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId)
                           .OrderBy(m => m.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var original = originals.TryGetValue(m.Id, out var first) ? first : m.Text;
            var hash = MessageHasher.Compute(previous, m.ConversationId, m.Sequence, m.Kind, m.SenderId, m.SentAt, original, m.AttachmentSha256);
            if (m.Sequence != expected || !string.Equals(hash, m.Hash, StringComparison.Ordinal))
            {
                return new ChainVerification(false, expected - 1, Math.Min(m.Sequence, expected));
            }

            previous = m.Hash;
            expected++;
        }

        return new ChainVerification(true, expected - 1, null);
    }

    private async Task<ChatMessage> ChangeOwnAsync(
        ChatUser user, Guid conversationId, Guid messageId, ChatAction action, string? newText, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(user, conversationId, action, cancellationToken).ConfigureAwait(false);
        ChatConversationInfo? info = null;
        var changed = await store.InTransactionAsync(
            async ct =>
            {
                // A no-op update takes the row lock, so the state checked below cannot change before commit.
                await store.Conversations.Where(c => c.Id == conversationId)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, c => c.UpdatedAt), ct).ConfigureAwait(false);
                var conversation = await store.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversationId, ct).ConfigureAwait(false);
                var decision = ChatAccessPolicy.Decide(conversation.Kind, conversation.State, RelationOf(conversation, user), action, conversation.HasDispute);
                if (!decision.Allowed)
                {
                    throw Refused(decision, action, conversationId);
                }

                var message = await store.Messages.SingleOrDefaultAsync(m => m.Id == messageId && m.ConversationId == conversationId, ct)
                    .ConfigureAwait(false);
                if (message is null || message.DeletedAt is not null)
                {
                    throw new ChatException(ChatErrorCode.MessageNotFound, "That message does not exist in this conversation.");
                }

                if (message.Kind == ChatMessageKind.System || !string.Equals(message.SenderId, user.UserId, StringComparison.Ordinal))
                {
                    throw new ChatException(ChatErrorCode.NotYourMessage, "You can only change your own messages.");
                }

                var now = store.Now();
                if (now - message.SentAt > options.Value.EditWindow)
                {
                    throw new ChatException(
                        ChatErrorCode.EditNotAllowed,
                        $"Messages can be changed for {FormatWindow(options.Value.EditWindow)} after they are sent.");
                }

                if (newText is null)
                {
                    message.DeletedAt = now;
                }
                else
                {
                    store.Revisions.Add(new MessageRevisionRecord { MessageId = message.Id, Text = message.Text, ReplacedAt = now });
                    message.Text = newText;
                    message.EditedAt = now;
                }

                info = conversation.ToInfo();
                return message;
            },
            cancellationToken).ConfigureAwait(false);

        var result = await ToMessageAsync(changed, CancellationToken.None).ConfigureAwait(false);
        await events.MessageChangedAsync(info!, result, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    internal async Task<(ConversationRecord Conversation, ChatRelation Relation)> AuthorizeAsync(
        ChatUser user, Guid conversationId, ChatAction action, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(user.UserId))
        {
            throw Refused(ChatAccessPolicy.NotAvailable, action, conversationId);
        }

        var conversation = await store.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, ct).ConfigureAwait(false);
        if (conversation is null)
        {
            throw Refused(ChatAccessPolicy.NotAvailable, action, conversationId);
        }

        var relation = RelationOf(conversation, user);
        var decision = ChatAccessPolicy.Decide(conversation.Kind, conversation.State, relation, action, conversation.HasDispute);
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
        var permissions = AllActions.ToDictionary(
            a => a, a => ChatAccessPolicy.Decide(conversation.Kind, conversation.State, relation, a, conversation.HasDispute));
        var lastRead = participants.Find(p => p.UserId == user.UserId)?.LastReadSequence ?? conversation.LastSequence;
        var unread = await UnreadAsync(conversation.Id, user, lastRead, ct).ConfigureAwait(false);
        return new ChatConversationView(conversation.ToInfo(), RoleOf(relation), participants, permissions, lastRead, unread);
    }

    private async Task<long> ReadPositionAsync(ConversationRecord conversation, ChatUser user, CancellationToken ct) =>
        await store.Participants.Where(p => p.ConversationId == conversation.Id && p.UserId == user.UserId)
            .Select(p => (long?)p.LastReadSequence).SingleOrDefaultAsync(ct).ConfigureAwait(false)
        ?? conversation.LastSequence;

    private Task<int> UnreadAsync(Guid conversationId, ChatUser user, long lastRead, CancellationToken ct) =>
        store.Messages.CountAsync(
            m => m.ConversationId == conversationId && m.Sequence > lastRead && m.SenderId != user.UserId, ct);

    internal async Task<ChatMessage?> FindRetryAsync(ChatUser user, Guid conversationId, Guid messageId, CancellationToken ct)
    {
        var existing = await store.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == messageId, ct).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        if (existing.ConversationId != conversationId || !string.Equals(existing.SenderId, user.UserId, StringComparison.Ordinal))
        {
            throw new ChatException(ChatErrorCode.MessageIdConflict, "This message id is already used; generate a new one for a new message.");
        }

        return await ToMessageAsync(existing, ct).ConfigureAwait(false);
    }

    private async Task<Guid> IdByKeyAsync(string key, CancellationToken ct) =>
        await store.Conversations.AsNoTracking().Where(c => c.Key == key).Select(c => (Guid?)c.Id)
            .SingleOrDefaultAsync(ct).ConfigureAwait(false)
        ?? throw Refused(ChatAccessPolicy.NotAvailable, ChatAction.Read, Guid.Empty);

    private async Task<ChatMessage> ToMessageAsync(MessageRecord message, CancellationToken ct) =>
        message.AttachmentId is null ? ChatStore.ToMessage(message) : (await ToMessagesAsync([message], ct).ConfigureAwait(false))[0];

    /// <summary>Projects messages with their attachments, loaded in one query for the whole page.</summary>
    private async Task<List<ChatMessage>> ToMessagesAsync(List<MessageRecord> messages, CancellationToken ct)
    {
        var ids = messages.Where(m => m.AttachmentId is not null && m.DeletedAt is null).Select(m => m.AttachmentId!.Value).ToList();
        var attachments = ids.Count == 0
            ? new Dictionary<Guid, AttachmentRecord>()
            : await store.Db.Set<AttachmentRecord>().AsNoTracking().Where(a => ids.Contains(a.Id))
                .ToDictionaryAsync(a => a.Id, ct).ConfigureAwait(false);
        return messages.ConvertAll(m => ChatStore.ToMessage(m, m.AttachmentId is { } id ? attachments.GetValueOrDefault(id) : null));
    }

    private ChatException AttachmentNotAvailable()
    {
        metrics.Refused(ChatErrorCode.AttachmentNotAvailable);
        return new ChatException(
            ChatErrorCode.AttachmentNotAvailable, "That attachment does not exist, is not yours, or belongs to another conversation.");
    }

    private ChatException AttachmentAlreadyUsed()
    {
        metrics.Refused(ChatErrorCode.AttachmentAlreadyUsed);
        return new ChatException(ChatErrorCode.AttachmentAlreadyUsed, "That attachment was already sent; upload it again to send it again.");
    }

    private string CleanText(string? text, bool allowEmpty)
    {
        var max = options.Value.MaxMessageLength;
        if (text is not null && text.Length > max * 4L)
        {
            throw new ChatException(ChatErrorCode.MessageTooLong, $"Messages are limited to {max} characters.");
        }

        var cleaned = MessageText.Clean(text ?? "");
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
        return new ChatException(code, decision.Reason ?? ChatAccessPolicy.NotAvailableReason);
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

    private static ParticipantRole RoleOf(ChatRelation relation) => relation switch
    {
        ChatRelation.Buyer => ParticipantRole.Buyer,
        ChatRelation.Seller => ParticipantRole.Seller,
        _ => ParticipantRole.Admin,
    };

    private static string FormatWindow(TimeSpan window) =>
        window.TotalMinutes >= 1 ? $"{window.TotalMinutes:0.#} minutes" : $"{window.TotalSeconds:0} seconds";

}
