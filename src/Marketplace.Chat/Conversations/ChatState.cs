using System.Text.Json.Serialization;

namespace Marketplace.Chat.Conversations;

/// <summary>Names the lifecycle state of a conversation; which states apply depends on its <see cref="ConversationKind"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatState>))]
public enum ChatState
{
    /// <summary>Transaction chat: registered, waiting for payment; only system messages.</summary>
    PendingPayment = 1,

    /// <summary>Transaction chat: buyer and seller write. Dispute chat: parties and admins write.</summary>
    Open,

    /// <summary>Transaction chat: frozen as evidence while a dispute is open.</summary>
    Frozen,

    /// <summary>Transaction chat: read-only history after completion, cancellation, refund or a closing resolution.</summary>
    Closed,

    /// <summary>Dispute chat: an administrator has joined.</summary>
    UnderReview,

    /// <summary>Dispute chat: resolved with an outcome; read-only until reopened.</summary>
    Resolved,
}
