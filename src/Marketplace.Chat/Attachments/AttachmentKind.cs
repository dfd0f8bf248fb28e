using System.Text.Json.Serialization;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Distinguishes attachments shown inline as pictures from attachments offered as downloads.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttachmentKind>))]
public enum AttachmentKind
{
    /// <summary>Marks a raster image (JPEG, PNG, GIF or WebP) recognised from its bytes.</summary>
    Image = 1,

    /// <summary>Marks any other attachment: documents, archives and plain text.</summary>
    File = 2,
}
