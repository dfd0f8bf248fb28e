using System.Text;
using Marketplace.Chat.Evidence;
using UglyToad.PdfPig;

namespace Marketplace.Chat.Tests.Evidence;

public class EvidenceTranscriptShould
{
    [Fact]
    public async Task Show_every_entry_in_order_with_author_role_and_time()
    {
        var (text, _) = await Transcript();

        var positions = EvidenceSamples.Content().TransactionChat.Entries
            .Select(e => text.IndexOf(Squash($"#{e.Sequence}·{e.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC·{EvidenceTranscript.Author(e)}"), StringComparison.Ordinal))
            .ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.Contains(Squash("seller-7 (Seller)"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("admin-1 (Admin)"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contain_every_text_including_edited_originals_and_deleted_ones()
    {
        var (text, _) = await Transcript();

        foreach (var written in EvidenceSamples.Texts)
        {
            Assert.Contains(Squash(written), text, StringComparison.Ordinal);
        }

        Assert.Contains(Squash("EDIT of #4"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("Text before this edit (#4): No refunds, ever."), text, StringComparison.Ordinal);
        Assert.Contains(Squash("DELETION of #6"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("Deleted text (#6): It was already cracked when I shipped it"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("tracking = 1Z999AA10123456784"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_the_verification_result_and_the_signing_key()
    {
        using var key = EvidenceSamples.NewKey();
        var (text, _) = await Transcript(key);

        Assert.Contains(Squash(EvidenceTranscript.VerificationSummary(EvidenceSamples.Content())), text, StringComparison.Ordinal);
        Assert.Contains(Squash("transaction chat log intact (11 entries, head #11, keyed MACs checked)"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("test-evidence-key"), text, StringComparison.Ordinal);
        Assert.Contains(key.Fingerprint, text, StringComparison.Ordinal);
        Assert.Contains(Squash("D-2026-0042"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("T-9001"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Say_when_the_chain_did_not_verify()
    {
        var content = EvidenceSamples.Content();
        content = content with
        {
            TransactionChat = content.TransactionChat with { Verification = new EvidenceChainResult(false, 11, 6, "ContentChanged", true) },
        };

        var text = Squash(Read(await EvidenceSamples.WriteAsync(content, EvidenceSamples.NewKey())).Text);

        Assert.Contains(Squash("transaction chat log NOT intact: first failing entry #6 (ContentChanged)"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_both_images_at_preview_size_and_the_transition_log()
    {
        var (text, images) = await Transcript();

        Assert.Equal(2, images);
        Assert.Contains(Squash("Open → Frozen · DisputeOpened · by buyer-3"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("crack.jpg"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("invoice.pdf"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Break_a_long_conversation_over_numbered_pages()
    {
        var content = EvidenceSamples.Content(entries =>
        {
            var last = entries[^1];
            for (var i = 0; i < 120; i++)
            {
                var previous = entries[^1];
                entries.Add(last with
                {
                    Sequence = previous.Sequence + 1, Id = Guid.NewGuid(), Kind = "Text", SystemCode = null, SenderId = "buyer-3", SenderRole = "Buyer",
                    Text = $"Long message {i}: " + string.Concat(Enumerable.Repeat("word ", 60)) + new string('x', 300),
                    PreviousHash = previous.Hash, Hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"h{i}"))),
                });
            }
        });

        using var pdf = PdfDocument.Open(EvidenceSamples.Unzip(await EvidenceSamples.WriteAsync(content, EvidenceSamples.NewKey()))["transcript.pdf"]);
        var pages = pdf.GetPages().ToList();

        Assert.True(pages.Count > 10, $"{pages.Count} pages");
        Assert.Contains(Squash($"page {pages.Count} of {pages.Count}"), Squash(pages[^1].Text), StringComparison.Ordinal);
        var all = Squash(string.Concat(pages.Select(p => p.Text)));
        Assert.Contains(Squash("Long message 119:"), all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_emoji_scripts_the_font_lacks_and_right_to_left_text_without_failing()
    {
        var content = EvidenceSamples.Content(entries =>
            entries[2] = entries[2] with { Text = "Merci 👍🏽 — 谢谢 — شكرا — Ελληνικά — crème brûlée" });

        var text = Squash(Read(await EvidenceSamples.WriteAsync(content, EvidenceSamples.NewKey())).Text);

        Assert.Contains(Squash("Merci"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("Ελληνικά — crème brûlée"), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_with_the_fix_when_no_font_can_be_found()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => EvidenceFonts.Load(null, null, []));
        var wrongFile = Assert.Throws<InvalidOperationException>(() => EvidenceFonts.Load("/nonexistent/font.ttf", null, []));

        Assert.Contains("apt-get install fonts-dejavu-core", missing.Message, StringComparison.Ordinal);
        Assert.Contains("ChatEvidenceOptions.FontFile", missing.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/font.ttf", wrongFile.Message, StringComparison.Ordinal);
    }

    private static async Task<(string Text, int Images)> Transcript(ChatEvidenceSigningKey? key = null)
    {
        using var owned = key is null ? EvidenceSamples.NewKey() : null;
        var bundle = await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key ?? owned!);
        var read = Read(bundle);
        return (Squash(read.Text), read.Images);
    }

    private static (string Text, int Images) Read(byte[] bundle)
    {
        using var pdf = PdfDocument.Open(EvidenceSamples.Unzip(bundle)["transcript.pdf"]);
        var pages = pdf.GetPages().ToList();
        return (string.Concat(pages.Select(p => p.Text)), pages.Sum(p => p.GetImages().Count()));
    }

    /// <summary>Drops whitespace: PDF text extraction does not keep the line breaks of wrapped text.</summary>
    private static string Squash(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}
