using Marketplace.Chat.Messages;

namespace Marketplace.Chat.Hubs;

/// <summary>The events a chat client receives. Method names are the event names a JavaScript client subscribes to with <c>connection.on</c>.</summary>
public interface IChatClient
{
    /// <summary>
    /// Receives every new entry of the log in sequence order: messages, system entries, notices, and edits and
    /// deletions as themselves (the sender's own entries too: deduplicate by id or sequence), so a client's contiguous
    /// sequence never has holes it must fill.
    /// </summary>
    Task MessageReceived(ChatMessage message);

    /// <summary>Receives, after an edit or deletion entry, the changed message's new projection (current text, deleted).</summary>
    Task MessageChanged(ChatMessage message);

    /// <summary>Receives that another participant started or stopped typing.</summary>
    Task Typing(TypingNotice notice);

    /// <summary>Receives that a participant read up to a sequence.</summary>
    Task ReadReceipt(ReadReceipt receipt);

    /// <summary>Receives a lifecycle change (unlocked, frozen, closed, resolved...); call Join again for the new permissions.</summary>
    Task StateChanged(ConversationStateChanged change);

    /// <summary>Receives that a participant came online or went offline in this conversation (per server node).</summary>
    Task Presence(PresenceChanged presence);

    /// <summary>Receives that someone joined the conversation (an administrator joining a dispute).</summary>
    Task ParticipantJoined(ParticipantJoined joined);

    /// <summary>Receives a notification on the user's own channel (any conversation), with the new unread count.</summary>
    Task Notification(NotificationPush push);

    /// <summary>Receives the user's unread notification count after they marked notifications read.</summary>
    Task NotificationCountChanged(NotificationCount count);
}
