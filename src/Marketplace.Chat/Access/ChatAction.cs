using System.Text.Json.Serialization;

namespace Marketplace.Chat.Access;

/// <summary>Names what a user tries to do in a conversation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatAction>))]
public enum ChatAction
{
    /// <summary>Join the conversation, read its history and receive its events.</summary>
    Read = 1,

    /// <summary>Send a text, image or file message (uploading counts as writing).</summary>
    Write,

    /// <summary>Edit one of one's own messages.</summary>
    EditOwn,

    /// <summary>Delete one of one's own messages.</summary>
    DeleteOwn,

    /// <summary>Move one's read position.</summary>
    MarkRead,

    /// <summary>Announce that one is typing.</summary>
    Typing,

    /// <summary>Read the log as written (originals of edited and deleted messages): administrators, in disputes.</summary>
    ReadEvidence,
}
