using System.Text.Json;
using Marketplace.Chat.Persistence;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Turns log entries into what parties see: a message with its current text (the newest edit's), when it was last
/// edited and whether it was deleted (then without text or attachment); an edit as its new text (none once its
/// message is deleted); a deletion without text. Originals of edited or deleted messages never reach a party here.
/// </summary>
internal static class EntryProjection
{
    /// <summary>Tells whether an entry is a message that edits and deletions can point at.</summary>
    public static bool IsMessage(ChatMessageKind kind) => kind is ChatMessageKind.Text or ChatMessageKind.Image or ChatMessageKind.File;

    /// <summary>Tells whether an entry changes another one.</summary>
    public static bool IsChange(ChatMessageKind kind) => kind is ChatMessageKind.Edit or ChatMessageKind.Deletion;

    /// <summary>Projects one entry. <paramref name="changes"/> are the edits and deletions of the message it is or points at, in sequence order.</summary>
    public static ChatMessage ToMessage(EntryRecord e, IReadOnlyList<EntryRecord>? changes, AttachmentRecord? attachment)
    {
        var deletion = changes?.FirstOrDefault(c => c.Kind == ChatMessageKind.Deletion);
        if (IsChange(e.Kind))
        {
            var text = e.Kind == ChatMessageKind.Edit && deletion is null ? e.Text : null;
            return new ChatMessage(
                e.Id, e.ConversationId, e.Sequence, e.Kind, e.SenderId, e.SenderRole, text, e.SystemCode, e.CreatedAt, null, false,
                e.Hash, null, null, e.TargetId, e.TargetSequence);
        }

        var lastEdit = changes?.LastOrDefault(c => c.Kind == ChatMessageKind.Edit);
        var deleted = deletion is not null;
        return new ChatMessage(
            e.Id,
            e.ConversationId,
            e.Sequence,
            e.Kind,
            e.SenderId,
            e.SenderRole,
            deleted ? null : lastEdit?.Text ?? e.Text ?? "",
            e.SystemCode,
            e.CreatedAt,
            lastEdit?.CreatedAt,
            deleted,
            e.Hash,
            e.AttachmentId,
            !deleted && attachment is not null && attachment.Id == e.AttachmentId ? attachment.ToInfo() : null,
            null,
            null,
            ParseParameters(e.Parameters));
    }

    /// <summary>Serializes host notice parameters once, in key order, so the stored (and hashed) text is canonical.</summary>
    public static string? SerializeParameters(IReadOnlyDictionary<string, string>? parameters) =>
        parameters is null || parameters.Count == 0
            ? null
            : JsonSerializer.Serialize(new SortedDictionary<string, string>(parameters.ToDictionary(), StringComparer.Ordinal));

    /// <summary>Reads stored host notice parameters back.</summary>
    public static IReadOnlyDictionary<string, string>? ParseParameters(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json);
}
