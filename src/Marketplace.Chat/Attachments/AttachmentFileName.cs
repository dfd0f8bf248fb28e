using System.Globalization;
using System.Text;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Turns the file name an uploader sent into one safe to show and to offer as a download name: the last path segment
/// only, no control, format (bidi overrides, zero-width) or reserved characters, a length cap, an extension that
/// matches the content recognised from the bytes, and no executable or script extension hiding inside the name
/// (<c>avatar.php.jpg</c> becomes <c>avatar_php.jpg</c>), so that no server or desktop that goes by extensions runs it.
/// </summary>
internal static class AttachmentFileName
{
    /// <summary>The longest display name, in UTF-16 code units.</summary>
    public const int MaxLength = 120;

    /// <summary>The name used when nothing usable is left of the original.</summary>
    public const string Fallback = "attachment";

    private static readonly Dictionary<string, string[]> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = [".jpg", ".jpeg", ".jpe", ".jfif"],
        ["image/png"] = [".png"],
        ["image/gif"] = [".gif"],
        ["image/webp"] = [".webp"],
        ["application/pdf"] = [".pdf"],
        ["text/plain"] = [".txt", ".text", ".log", ".md", ".csv"],
        ["application/zip"] = [".zip"],
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = [".docx"],
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = [".xlsx"],
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation"] = [".pptx"],
        ["application/vnd.oasis.opendocument.text"] = [".odt"],
        ["application/vnd.oasis.opendocument.spreadsheet"] = [".ods"],
        ["application/vnd.oasis.opendocument.presentation"] = [".odp"],
    };

    /// <summary>Extensions that run, or render script, somewhere: never left standing inside a display name.</summary>
    internal static readonly HashSet<string> ExecutableExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "exe", "com", "bat", "cmd", "ps1", "psm1", "psd1", "vbs", "vbe", "js", "jse", "mjs", "cjs", "wsf", "wsh", "hta",
        "msi", "msp", "mst", "scr", "pif", "cpl", "jar", "class", "dll", "so", "dylib", "app", "apk", "deb", "rpm", "lnk",
        "reg", "inf", "sh", "bash", "zsh", "csh", "ksh", "command", "php", "php3", "php4", "php5", "php7", "php8", "phtml",
        "phar", "pl", "py", "pyc", "rb", "cgi", "asp", "aspx", "ashx", "asmx", "cer", "jsp", "jspx", "html", "htm", "xhtml",
        "shtml", "svg", "xml", "xsl",
    };

    private static readonly HashSet<string> ReservedDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Builds the display name of an upload whose content was recognised as <paramref name="contentType"/>.</summary>
    public static string ForDisplay(string? original, string contentType)
    {
        var name = Clean(original ?? "");
        var extensions = Extensions.GetValueOrDefault(contentType) ?? [];
        var extension = Path.GetExtension(name);
        if (extension.Length > 16)
        {
            extension = "";
        }

        var suffix = extensions.Length == 0 || extensions.Contains(extension, StringComparer.OrdinalIgnoreCase) ? "" : extensions[0];
        var stem = suffix.Length == 0 && extension.Length > 0 ? name[..^extension.Length] : name;
        if (suffix.Length == 0)
        {
            suffix = extension;
        }

        stem = Truncate(NeutraliseInnerExtensions(stem), MaxLength - suffix.Length).TrimEnd(' ', '.');
        if (stem.Length == 0)
        {
            stem = Fallback;
        }

        var firstPart = stem.Split('.')[0].TrimEnd();
        if (ReservedDeviceNames.Contains(firstPart))
        {
            stem = "_" + stem;
        }

        return stem + suffix;
    }

    /// <summary>Joins with <c>_</c> every dot that starts an executable extension inside the stem.</summary>
    private static string NeutraliseInnerExtensions(string stem)
    {
        var parts = stem.Split('.');
        if (parts.Length == 1)
        {
            return stem;
        }

        var builder = new StringBuilder(parts[0], stem.Length);
        for (var i = 1; i < parts.Length; i++)
        {
            builder.Append(ExecutableExtensions.Contains(parts[i].Trim()) ? '_' : '.').Append(parts[i]);
        }

        return builder.ToString();
    }

    private static string Clean(string original)
    {
        // Only the last segment: a name like "..\..\etc\passwd" or "C:/Users/x/photo.jpg" is a path, not a name.
        var cut = original.LastIndexOfAny(['/', '\\']);
        var segment = cut >= 0 ? original[(cut + 1)..] : original;
        var builder = new StringBuilder(Math.Min(segment.Length, MaxLength * 2));
        var lastWasSpace = false;
        foreach (var rune in segment.EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar)
            {
                continue;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format: // bidi overrides and isolates, zero-width characters, soft hyphen, BOM
                case UnicodeCategory.Surrogate:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:
                    continue;
                case UnicodeCategory.SpaceSeparator:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    if (!lastWasSpace && builder.Length > 0)
                    {
                        builder.Append(' ');
                    }

                    lastWasSpace = true;
                    continue;
            }

            lastWasSpace = false;
            if (rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*')
            {
                builder.Append('_');
            }
            else
            {
                builder.Append(rune.ToString());
            }

            if (builder.Length > MaxLength * 4)
            {
                break;
            }
        }

        // Leading dots would make a hidden file (or "." and ".."); trailing dots and spaces vanish on Windows.
        return builder.ToString().Trim(' ', '.');
    }

    private static string Truncate(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var end = length;
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }
}
