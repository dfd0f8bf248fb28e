using System.Text.Json.Serialization;

namespace Marketplace.Chat.Conversations;

/// <summary>Names the part a user plays in a conversation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ParticipantRole>))]
public enum ParticipantRole
{
    /// <summary>The buyer of the transaction.</summary>
    Buyer = 1,

    /// <summary>The seller of the transaction.</summary>
    Seller,

    /// <summary>A marketplace administrator.</summary>
    Admin,
}
