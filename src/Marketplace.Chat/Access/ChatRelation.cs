using System.Text.Json.Serialization;

namespace Marketplace.Chat.Access;

/// <summary>Says how a user relates to a conversation, before its state is considered (the access policy's input).</summary>
/// <remarks>Hosts see <see cref="Conversations.ParticipantRole"/>: an outsider is never shown a conversation.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<ChatRelation>))]
internal enum ChatRelation
{
    /// <summary>Neither a party nor an administrator (or the conversation does not exist).</summary>
    Outsider = 0,

    /// <summary>The buyer of the transaction.</summary>
    Buyer,

    /// <summary>The seller of the transaction.</summary>
    Seller,

    /// <summary>A marketplace administrator who is not a party.</summary>
    Admin,
}
