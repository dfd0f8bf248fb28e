using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Marketplace.Chat.Evidence;

/// <summary>An image as the transcript shows it: JPEG or PNG bytes at preview size, or why it is not shown.</summary>
internal sealed record TranscriptImage(byte[]? Bytes, string? Reason);

/// <summary>
/// Renders the human-readable transcript (PDF): who said what, when, in which role, every entry in the order it was
/// written, edits and deletions as entries of their own with the text they replaced or removed, images at preview
/// size, the transition log, the chain verification and the signing key. Fit to attach to a payment processor's
/// dispute as customer communication.
/// </summary>
internal static class EvidenceTranscript
{
    public static byte[] Render(
        EvidenceBundleContent content, string keyId, string fingerprint, IReadOnlyDictionary<Guid, TranscriptImage> images)
    {
        var attachments = content.Attachments.ToDictionary(a => a.Id);
        using var layout = new Layout($"Dispute evidence {content.DisputeId}", content.ExportedAt);

        layout.Paragraph("Dispute evidence: chat transcript", layout.Title, after: 6);
        layout.Field("Dispute", content.DisputeId);
        layout.Field("Transaction", content.TransactionId);
        layout.Field("Exported", $"{Time(content.ExportedAt)} by {content.ExportedBy}");
        layout.Field("Parties", Parties(content));
        layout.Space(6);

        layout.Paragraph("Integrity", layout.Heading, after: 3);
        layout.Paragraph(VerificationSummary(content), layout.Bold);
        layout.Paragraph(
            $"This transcript is part of a bundle signed with the marketplace's evidence key \"{keyId}\" " +
            $"(SHA-256 fingerprint of the public key: {fingerprint}). The bundle's manifest lists the SHA-256 of every file, " +
            "including this one; check it offline with: Marketplace.Chat.EvidenceVerifier bundle.zip --fingerprint " + fingerprint,
            layout.Body);
        layout.Paragraph(
            "Times are UTC. Entries are numbered in the order they were written. An edit or a deletion is an entry of its own; " +
            "it never erases the entry it changes, so the original text is shown here as it was first written. " +
            "Characters the transcript's font cannot draw (emoji, some scripts) appear blank here; the logs in the bundle hold every text exactly.",
            layout.Small, after: 8);

        Conversation(layout, "Transaction chat", content.TransactionChat, attachments, images);
        Conversation(layout, "Dispute chat", content.DisputeChat, attachments, images);

        layout.Finish($"Dispute {content.DisputeId} · transaction {content.TransactionId} · exported {Time(content.ExportedAt)}");
        return layout.Save();
    }

    /// <summary>The verification line the transcript prints (tests read it back).</summary>
    public static string VerificationSummary(EvidenceBundleContent content) =>
        $"Verification: transaction chat {Verdict(content.TransactionChat)}; dispute chat {Verdict(content.DisputeChat)}.";

    /// <summary>What the transcript shows as an entry's author.</summary>
    public static string Author(EvidenceEntry entry) => entry.Kind switch
    {
        EvidenceEntryKinds.System when entry.SenderId is null => "Chat system",
        EvidenceEntryKinds.Notice => "Marketplace notice",
        _ => entry.SenderRole is null ? entry.SenderId ?? "unknown" : $"{entry.SenderId} ({entry.SenderRole})",
    };

    private static string Verdict(EvidenceConversation conversation)
    {
        var v = conversation.Verification;
        var checkedWhat = v.MacChecked ? "keyed MACs checked" : "links checked, keyed MACs not checked";
        return v.IsIntact
            ? $"log intact ({v.EntryCount} entries, head #{conversation.Head.LastSequence}, {checkedWhat})"
            : $"log NOT intact: first failing entry #{v.FirstBrokenSequence?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({v.Damage ?? "damage"}), {v.EntryCount} entries checked";
    }

    private static string Parties(EvidenceBundleContent content)
    {
        var people = content.TransactionChat.Participants.Concat(content.DisputeChat.Participants)
            .GroupBy(p => (p.UserId, p.Role))
            .Select(g => g.Key)
            .OrderBy(p => p.Role switch { "Buyer" => 0, "Seller" => 1, _ => 2 })
            .ThenBy(p => p.UserId, StringComparer.Ordinal);
        return string.Join("; ", people.Select(p => $"{p.UserId} ({p.Role})"));
    }

    private static void Conversation(
        Layout layout,
        string title,
        EvidenceConversation conversation,
        Dictionary<Guid, EvidenceAttachment> attachments,
        IReadOnlyDictionary<Guid, TranscriptImage> images)
    {
        layout.Rule();
        layout.Paragraph(title, layout.Heading, after: 2);
        layout.Paragraph(
            $"Conversation {conversation.Id:D} · state {conversation.State} · {conversation.Entries.Count} entries · " +
            $"head #{conversation.Head.LastSequence} {conversation.Head.LastHash}",
            layout.Small);
        layout.Paragraph(
            "Participants: " + string.Join("; ", conversation.Participants.Select(p => $"{p.UserId} ({p.Role}, since {Time(p.JoinedAt)})")),
            layout.Small, after: 6);

        var byId = new Dictionary<Guid, EvidenceEntry>();
        var current = new Dictionary<Guid, string?>();
        var laterChanges = conversation.Entries
            .Where(e => e.Kind is EvidenceEntryKinds.Edit or EvidenceEntryKinds.Deletion && e.TargetId is not null)
            .ToLookup(e => e.TargetId!.Value);

        foreach (var entry in conversation.Entries)
        {
            byId.TryAdd(entry.Id, entry);
            layout.Keep(3 * Layout.LineHeight(layout.Body));
            layout.Paragraph($"#{entry.Sequence} · {Time(entry.CreatedAt)} · {Author(entry)} · {Label(entry)}", layout.Bold, after: 1);
            switch (entry.Kind)
            {
                case EvidenceEntryKinds.Edit:
                    {
                        var target = Target(entry, byId);
                        layout.Paragraph("New text: " + (entry.Text ?? ""), layout.Body, indent: 12);
                        if (target is not null)
                        {
                            var before = current.GetValueOrDefault(target.Id, target.Text);
                            layout.Paragraph($"Text before this edit (#{target.Sequence}): " + (before ?? ""), layout.Body, indent: 12, brush: XBrushes.DimGray);
                            current[target.Id] = entry.Text;
                        }

                        break;
                    }

                case EvidenceEntryKinds.Deletion:
                    {
                        var target = Target(entry, byId);
                        if (target is not null)
                        {
                            var removed = current.GetValueOrDefault(target.Id, target.Text);
                            layout.Paragraph($"Deleted text (#{target.Sequence}): " + (removed ?? ""), layout.Body, indent: 12, brush: XBrushes.DimGray);
                            current[target.Id] = null;
                        }

                        break;
                    }

                default:
                    if (entry.AttachmentId is { } attachmentId)
                    {
                        AttachmentBlock(layout, attachmentId, attachments, images);
                    }

                    if (!string.IsNullOrEmpty(entry.Text))
                    {
                        layout.Paragraph(entry.Text, layout.Body, indent: 12);
                    }

                    if (!string.IsNullOrEmpty(entry.Parameters))
                    {
                        layout.Paragraph("Parameters: " + Parameters(entry.Parameters), layout.Small, indent: 12);
                    }

                    current[entry.Id] = entry.Text;
                    var changes = laterChanges[entry.Id].ToList();
                    if (changes.Count > 0)
                    {
                        layout.Paragraph(
                            "Later: " + string.Join("; ", changes.Select(c => $"{(c.Kind == EvidenceEntryKinds.Edit ? "edited" : "deleted")} by #{c.Sequence} at {Time(c.CreatedAt)}")),
                            layout.Small, indent: 12, brush: XBrushes.DarkRed);
                    }

                    break;
            }

            layout.Space(4);
        }

        layout.Space(4);
        layout.Paragraph("Transition log", layout.Bold, after: 2);
        foreach (var t in conversation.Transitions)
        {
            var actor = t.ActorId is null ? "" : $" · by {t.ActorId}";
            var eventId = t.EventId is null ? "" : $" · event {t.EventId}";
            layout.Paragraph($"{Time(t.OccurredAt)} · {t.FromState ?? "(created)"} → {t.ToState} · {t.Trigger}{actor}{eventId}", layout.Small);
        }

        layout.Space(8);
    }

    private static void AttachmentBlock(
        Layout layout, Guid attachmentId, Dictionary<Guid, EvidenceAttachment> attachments, IReadOnlyDictionary<Guid, TranscriptImage> images)
    {
        if (!attachments.TryGetValue(attachmentId, out var a))
        {
            layout.Paragraph($"[attachment {attachmentId:D} is not in the bundle]", layout.Body, indent: 12, brush: XBrushes.DarkRed);
            return;
        }

        var size = a.Width is { } w && a.Height is { } h ? $", {w}×{h}" : "";
        layout.Paragraph(
            $"[{a.Kind}: {a.FileName}, {a.ContentType}{size}, {Bytes(a.Length)}; in the bundle as {EvidenceFiles.AttachmentPath(a.Id, a.FileName)}; SHA-256 {a.Sha256}]",
            layout.Small, indent: 12);
        if (images.TryGetValue(a.Id, out var image))
        {
            if (image.Bytes is not null)
            {
                layout.Image(image.Bytes, indent: 12);
            }
            else
            {
                layout.Paragraph($"[image not shown: {image.Reason}]", layout.Small, indent: 12, brush: XBrushes.DarkRed);
            }
        }
    }

    private static string Parameters(string json)
    {
        try
        {
            var values = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            if (values is not null)
            {
                return string.Join("; ", values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} = {p.Value}"));
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Shown as stored.
        }

        return json;
    }

    private static EvidenceEntry? Target(EvidenceEntry entry, Dictionary<Guid, EvidenceEntry> byId) =>
        entry.TargetId is { } id && byId.TryGetValue(id, out var target) ? target : null;

    private static string Label(EvidenceEntry entry) => entry.Kind switch
    {
        EvidenceEntryKinds.Edit => $"EDIT of #{entry.TargetSequence?.ToString(CultureInfo.InvariantCulture) ?? "?"}",
        EvidenceEntryKinds.Deletion => $"DELETION of #{entry.TargetSequence?.ToString(CultureInfo.InvariantCulture) ?? "?"}",
        EvidenceEntryKinds.System or EvidenceEntryKinds.Notice => entry.SystemCode ?? entry.Kind,
        _ => entry.Kind,
    };

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Bytes(long length) => length switch
    {
        < 1024 => $"{length} B",
        < 1024 * 1024 => $"{length / 1024.0:0.#} KB",
        _ => $"{length / (1024.0 * 1024):0.#} MB",
    };

    /// <summary>A4 pages filled top to bottom, wrapped by measured width, with page footers added at the end.</summary>
    private sealed class Layout : IDisposable
    {
        private const double Margin = 50;
        private const double FooterSpace = 40;
        private const double ImageBox = 200;

        private readonly PdfDocument _document = new();
        private XGraphics? _graphics;
        private double _y;

        public Layout(string title, DateTimeOffset created)
        {
            _document.Info.Title = title;
            _document.Info.Creator = "Marketplace.Chat evidence export";
            _document.Info.CreationDate = created.UtcDateTime;
            _document.Info.ModificationDate = created.UtcDateTime;
            Title = new XFont(EvidenceFonts.Family, 16, XFontStyleEx.Bold);
            Heading = new XFont(EvidenceFonts.Family, 12, XFontStyleEx.Bold);
            Body = new XFont(EvidenceFonts.Family, 9.5, XFontStyleEx.Regular);
            Bold = new XFont(EvidenceFonts.Family, 9.5, XFontStyleEx.Bold);
            Small = new XFont(EvidenceFonts.Family, 7.5, XFontStyleEx.Regular);
            NewPage();
        }

        public XFont Title { get; }

        public XFont Heading { get; }

        public XFont Body { get; }

        public XFont Bold { get; }

        public XFont Small { get; }

        private double Width => _document.Pages[0].Width.Point - (2 * Margin);

        private double Bottom => _document.Pages[0].Height.Point - FooterSpace - Margin;

        private XGraphics Graphics => _graphics!;

        public static double LineHeight(XFont font) => font.GetHeight() * 1.1;

        public void Field(string name, string value)
        {
            Paragraph($"{name}: {value}", Body);
        }

        public void Space(double points) => _y += points;

        public void Keep(double height)
        {
            if (_y + height > Bottom)
            {
                NewPage();
            }
        }

        public void Rule()
        {
            Keep(40);
            Graphics.DrawLine(XPens.LightGray, Margin, _y, Margin + Width, _y);
            _y += 6;
        }

        public void Paragraph(string text, XFont font, double indent = 0, XBrush? brush = null, double after = 2)
        {
            var height = LineHeight(font);
            foreach (var line in Wrap(Clean(text), font, Width - indent))
            {
                Keep(height);
                Graphics.DrawString(line, font, brush ?? XBrushes.Black, Margin + indent, _y + (font.GetHeight() * 0.8));
                _y += height;
            }

            _y += after;
        }

        public void Image(byte[] bytes, double indent)
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var image = XImage.FromStream(stream);
            var scale = Math.Min(1, Math.Min(ImageBox / image.PointWidth, ImageBox / image.PointHeight));
            if (image.PointWidth * scale < 40 && image.PointHeight * scale < 40)
            {
                scale = Math.Min(ImageBox / image.PointWidth, ImageBox / image.PointHeight);
            }

            var width = image.PointWidth * scale;
            var height = image.PointHeight * scale;
            Keep(height + 4);
            Graphics.DrawImage(image, Margin + indent, _y, width, height);
            _y += height + 4;
        }

        public void Finish(string footer)
        {
            _graphics?.Dispose();
            _graphics = null;
            var count = _document.PageCount;
            for (var i = 0; i < count; i++)
            {
                var page = _document.Pages[i];
                using var graphics = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
                graphics.DrawString(
                    $"{footer} · page {i + 1} of {count}", Small, XBrushes.Gray, Margin, page.Height.Point - Margin + 10);
            }
        }

        public byte[] Save()
        {
            using var output = new MemoryStream();
            _document.Save(output, false);
            return output.ToArray();
        }

        public void Dispose()
        {
            _graphics?.Dispose();
            _document.Dispose();
        }

        private static string Clean(string text)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                builder.Append(c switch
                {
                    '\r' => '\0',
                    '\t' => ' ',
                    _ when char.IsControl(c) && c != '\n' => ' ',
                    _ => c,
                });
            }

            return builder.Replace("\0", "").ToString();
        }

        private void NewPage()
        {
            _graphics?.Dispose();
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(page);
            _y = Margin;
        }

        private IEnumerable<string> Wrap(string text, XFont font, double width)
        {
            foreach (var paragraph in text.Split('\n'))
            {
                var line = new StringBuilder();
                foreach (var word in paragraph.Split(' '))
                {
                    var candidate = line.Length == 0 ? word : line + " " + word;
                    if (Fits(candidate, font, width))
                    {
                        line.Clear().Append(candidate);
                        continue;
                    }

                    if (line.Length > 0)
                    {
                        yield return line.ToString();
                        line.Clear();
                    }

                    // A word wider than the line (a hash, a URL) is broken between characters.
                    var rest = word;
                    while (!Fits(rest, font, width))
                    {
                        var take = rest.Length - 1;
                        while (take > 1 && !Fits(rest[..take], font, width))
                        {
                            take = Math.Max(1, take * 3 / 4);
                        }

                        while (take + 1 < rest.Length && Fits(rest[..(take + 1)], font, width))
                        {
                            take++;
                        }

                        if (char.IsHighSurrogate(rest[take - 1]) && take > 1)
                        {
                            take--;
                        }

                        yield return rest[..take];
                        rest = rest[take..];
                    }

                    line.Append(rest);
                }

                yield return line.ToString();
            }
        }

        private bool Fits(string text, XFont font, double width) => Graphics.MeasureString(text, font).Width <= width;
    }
}
