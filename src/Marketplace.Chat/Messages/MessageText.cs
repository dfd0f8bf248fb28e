using System.Text;

namespace Marketplace.Chat.Messages;

/// <summary>Cleans text as typed: removes control and bidirectional-override characters, keeps everything else.</summary>
internal static class MessageText
{
    /// <summary>Returns the text without control characters (tab and line feed kept, CR LF folded to LF).</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StringBuilder? cleaned = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var keep = c switch
            {
                '\n' or '\t' => true,
                '\r' => false,
                _ when char.IsControl(c) => false,
                _ when IsBidiControl(c) => false,
                _ => true,
            };

            // A lone CR (old Mac line ending) becomes a line feed; a CR before LF just disappears.
            if (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n'))
            {
                cleaned ??= new StringBuilder(text, 0, i, text.Length);
                cleaned.Append('\n');
                continue;
            }

            if (keep)
            {
                cleaned?.Append(c);
            }
            else
            {
                cleaned ??= new StringBuilder(text, 0, i, text.Length);
            }
        }

        return cleaned?.ToString() ?? text;
    }

    /// <summary>Shortens a message to one line for lists and notifications: "Image"/"File" for attachments, text truncated with an ellipsis.</summary>
    public static string Preview(ChatMessageKind kind, string text, int maxLength)
    {
        var preview = kind switch
        {
            ChatMessageKind.Image => "Image",
            ChatMessageKind.File => "File",
            _ => text.ReplaceLineEndings(" "),
        };
        return preview.Length <= maxLength ? preview : string.Concat(preview.AsSpan(0, maxLength - 1), "…");
    }

    /// <summary>Tells whether nothing visible is left.</summary>
    public static bool IsBlank(string text) => string.IsNullOrWhiteSpace(text);

    // Embedding, override and isolate controls can make "gpj.exe" read as "exe.jpg": never wanted in chat text.
    private static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';
}
