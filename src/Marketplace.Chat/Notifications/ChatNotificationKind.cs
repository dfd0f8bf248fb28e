using System.Text.Json.Serialization;

namespace Marketplace.Chat.Notifications;

/// <summary>Names what a notification tells its recipient.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatNotificationKind>))]
public enum ChatNotificationKind
{
    /// <summary>The other party wrote in a transaction chat.</summary>
    NewTransactionMessage = 1,

    /// <summary>Someone wrote in a dispute chat.</summary>
    NewDisputeMessage,

    /// <summary>The transaction chat opened: payment confirmed, or a dispute resolved in favour of going on.</summary>
    ChatUnlocked,

    /// <summary>The transaction chat froze because a dispute was opened (or reopened).</summary>
    ChatFrozen,

    /// <summary>A dispute was opened (or reopened).</summary>
    DisputeOpened,

    /// <summary>An administrator joined the dispute.</summary>
    AdminJoined,

    /// <summary>The dispute was resolved.</summary>
    DisputeResolved,

    /// <summary>The transaction chat closed: completed, cancelled, refunded or settled by a dispute.</summary>
    ChatClosed,

    /// <summary>The marketplace posted a notice in the chat (parcel shipped, refund issued, ...).</summary>
    MarketplaceNotice,
}
