using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Lifecycle;

/// <summary>
/// Appends the marketplace's own notices to a conversation's log. They are not a party speaking, so no state refuses
/// them (a frozen or closed chat still records "refund issued"); the host's event id makes a redelivery return the
/// first notice instead of a second one, decided by the unique (conversation, event id) key when two race.
/// </summary>
internal sealed class HostNoticeWriter(
    ChatStore store,
    ConversationLog log,
    ChatEventPublisher events,
    IOptions<ChatOptions> options,
    ILogger<HostNoticeWriter> logger)
{
    public const int MaxParameters = 20;
    public const int MaxParameterValueLength = 500;

    /// <summary>Posts a notice to the conversation with the natural key <paramref name="key"/>; <paramref name="what"/> names it in errors.</summary>
    public async Task<ChatMessage> PostAsync(string key, string what, string eventId, ChatNotice notice, CancellationToken cancellationToken)
    {
        var draft = Draft(eventId, notice);
        var conversationId = await store.Conversations.AsNoTracking().Where(c => c.Key == key).Select(c => (Guid?)c.Id)
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ChatException(ChatErrorCode.TransactionUnknown, $"No chat exists for {what}.");
        if (await StoredAsync(conversationId, eventId, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            ChatLog.NoticeRedelivered(logger, eventId, conversationId);
            return stored;
        }

        LogAppend appended;
        try
        {
            appended = await store.InTransactionAsync(
                async ct => await log.AppendAsync(conversationId, draft with { CreatedAt = store.Now() }, null, ct).ConfigureAwait(false)
                    ?? throw new ChatException(ChatErrorCode.TransactionUnknown, $"No chat exists for {what}."),
                cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // The same event delivered twice at once: the unique key let one in; that one is the answer.
            var raced = await StoredAsync(conversationId, eventId, CancellationToken.None).ConfigureAwait(false);
            if (raced is null)
            {
                throw;
            }

            ChatLog.NoticeRedelivered(logger, eventId, conversationId);
            return raced;
        }

        ChatLog.NoticePosted(logger, notice.Code, conversationId, appended.Entry.Sequence, eventId);
        var message = EntryProjection.ToMessage(appended.Entry, null, null);
        await events.MessageAddedAsync(appended.Conversation.ToInfo(), message, CancellationToken.None).ConfigureAwait(false);
        return message;
    }

    private async Task<ChatMessage?> StoredAsync(Guid conversationId, string eventId, CancellationToken ct)
    {
        var stored = await store.Entries.AsNoTracking()
            .SingleOrDefaultAsync(e => e.ConversationId == conversationId && e.EventId == eventId, ct).ConfigureAwait(false);
        return stored is null ? null : EntryProjection.ToMessage(stored, null, null);
    }

    /// <summary>Checks the host's notice and builds its entry; mistakes are the host's, so they say how to fix them.</summary>
    private EntryDraft Draft(string eventId, ChatNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (string.IsNullOrWhiteSpace(eventId) || eventId.Length > ChatModelConfiguration.ExternalIdLength)
        {
            throw Invalid($"A notice needs the host's event id (1 to {ChatModelConfiguration.ExternalIdLength} characters), so a redelivery posts it once.");
        }

        if (!IsCode(notice.Code, ChatModelConfiguration.SystemCodeLength))
        {
            throw Invalid($"A notice code is 1 to {ChatModelConfiguration.SystemCodeLength} letters, digits, '.', '_' or '-', e.g. \"OrderShipped\".");
        }

        var text = MessageText.Clean(notice.Text ?? "");
        if (MessageText.IsBlank(text) || text.Length > options.Value.MaxMessageLength)
        {
            throw Invalid($"A notice needs a text of 1 to {options.Value.MaxMessageLength} characters.");
        }

        Dictionary<string, string>? parameters = null;
        if (notice.Parameters is { Count: > 0 } given)
        {
            if (given.Count > MaxParameters)
            {
                throw Invalid($"A notice has at most {MaxParameters} parameters.");
            }

            parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in given)
            {
                var cleaned = MessageText.Clean(value ?? "");
                if (!IsCode(name, ChatModelConfiguration.SystemCodeLength) || cleaned.Length > MaxParameterValueLength)
                {
                    throw Invalid(
                        $"Notice parameter names are like codes (letters, digits, '.', '_', '-', up to {ChatModelConfiguration.SystemCodeLength}) "
                        + $"and values up to {MaxParameterValueLength} characters.");
                }

                parameters[name] = cleaned;
            }
        }

        return new EntryDraft(Guid.NewGuid(), ChatMessageKind.Notice, store.Now())
        {
            SystemCode = notice.Code,
            Text = text,
            Parameters = EntryProjection.SerializeParameters(parameters),
            EventId = eventId,
        };
    }

    private static bool IsCode(string? value, int maxLength) =>
        !string.IsNullOrEmpty(value) && value.Length <= maxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static ChatException Invalid(string reason) => new(ChatErrorCode.InvalidArgument, reason);
}
