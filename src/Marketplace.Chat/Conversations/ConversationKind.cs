using System.Text.Json.Serialization;

namespace Marketplace.Chat.Conversations;

/// <summary>Distinguishes the chat of a transaction from the chat of a dispute about it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConversationKind>))]
public enum ConversationKind
{
    /// <summary>The private buyer/seller chat of one transaction.</summary>
    Transaction = 1,

    /// <summary>The chat of a dispute: buyer, seller and the marketplace's administrators.</summary>
    Dispute = 2,
}
