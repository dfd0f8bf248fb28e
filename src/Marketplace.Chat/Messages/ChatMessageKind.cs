using System.Text.Json.Serialization;

namespace Marketplace.Chat.Messages;

/// <summary>Names what an entry of a conversation's log carries.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatMessageKind>))]
public enum ChatMessageKind
{
    /// <summary>Text typed by a participant.</summary>
    Text = 1,

    /// <summary>An image attachment, with an optional caption.</summary>
    Image,

    /// <summary>A file attachment, with an optional caption.</summary>
    File,

    /// <summary>An announcement by the chat itself (payment confirmed, dispute opened, ...).</summary>
    System,

    /// <summary>An edit: the new text of the entry named by <c>TargetId</c>.</summary>
    Edit,

    /// <summary>A deletion: a tombstone for the entry named by <c>TargetId</c>; it carries no text.</summary>
    Deletion,

    /// <summary>A notice posted by the marketplace itself (parcel shipped, refund issued, ...), with the host's code and parameters.</summary>
    Notice,
}
