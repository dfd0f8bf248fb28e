using System.Text.Json.Serialization;

namespace Marketplace.Chat.Lifecycle;

/// <summary>Names the marketplace events that move a conversation from one state to another.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatTrigger>))]
internal enum ChatTrigger
{
    /// <summary>Transaction chat: the payment provider confirmed the payment.</summary>
    PaymentConfirmed = 1,

    /// <summary>Transaction chat: the buyer received the goods; the transaction is complete.</summary>
    Completed,

    /// <summary>Transaction chat: the transaction was cancelled.</summary>
    Cancelled,

    /// <summary>Transaction chat: the payment was refunded.</summary>
    Refunded,

    /// <summary>Transaction chat: a dispute was opened about the transaction (the chat freezes).</summary>
    DisputeOpened,

    /// <summary>Transaction chat: the dispute was resolved and the transaction is settled (the chat closes).</summary>
    DisputeResolvedClose,

    /// <summary>Transaction chat: the dispute was resolved and the transaction goes on (the chat reopens).</summary>
    DisputeResolvedResume,

    /// <summary>Transaction chat: a resolved dispute was reopened while the transaction was going on (the chat freezes again).</summary>
    DisputeReopened,

    /// <summary>Dispute chat: an administrator joined or wrote for the first time.</summary>
    AdminJoined,

    /// <summary>Dispute chat: an administrator resolved the dispute with an outcome.</summary>
    DisputeResolved,

    /// <summary>Dispute chat: a resolved dispute was reopened.</summary>
    Reopened,
}
