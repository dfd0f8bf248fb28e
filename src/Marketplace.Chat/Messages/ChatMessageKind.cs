using System.Text.Json.Serialization;

namespace Marketplace.Chat.Messages;

/// <summary>Names what a message carries.</summary>
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
}
