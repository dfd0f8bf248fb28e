using System.Text.Json.Serialization;

namespace Marketplace.Chat.Conversations;

/// <summary>Says what happens to the transaction chat when its dispute is resolved.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DisputeOutcome>))]
public enum DisputeOutcome
{
    /// <summary>The transaction is settled (refund, release of funds...); its chat closes for good.</summary>
    CloseTransaction = 1,

    /// <summary>The parties carry on with the transaction; its chat reopens.</summary>
    ResumeTransaction,
}
