using System.Text;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Attachments.Inspection;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    private const string CatalogOpening4 = "<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>";

    [Fact]
    public async Task Refuse_a_pdf_whose_javascript_sits_in_a_compressed_object_stream()
    {
        var content = PdfBytes.WithObjectStream([CatalogOpening4, Pages, Page], ["<< /S /JavaScript /JS (app.alert(1)) >>"]);
        Assert.DoesNotContain("JavaScript", Encoding.Latin1.GetString(content), StringComparison.Ordinal);

        var result = await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);

        Assert.Equal("application/pdf", result.ContentType);
    }

    [Theory]
    [InlineData("<< /S /Launch /F (cmd.exe) >>")]
    [InlineData("<< /Type /Filespec /F (a.exe) /EF << /F 9 0 R >> /Type /EmbeddedFile >>")]
    [InlineData("<< /XFA [(template) 9 0 R] >>")]
    [InlineData("<< /S /GoTo /D [3 0 R /Fit] /AA << /O 9 0 R >> >>")]
    [InlineData("<< /S /J#61vaScript /JS (x) >>")]
    public async Task Refuse_other_active_content_packed_in_an_object_stream(string packed)
    {
        var content = PdfBytes.WithObjectStream([CatalogOpening4, Pages, Page], [packed]);

        await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);
    }

    [Fact]
    public async Task Accept_a_pdf_whose_object_stream_holds_only_harmless_objects()
    {
        // The same shape with a GoTo action: proves the refusal above comes from what the stream holds.
        var content = PdfBytes.WithObjectStream([CatalogOpening4, Pages, Page], ["<< /S /GoTo /D [3 0 R /Fit] >>"]);

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted, $"{result.RejectionCode}: {result.RejectionReason}");
        Assert.Equal(content, stored);
    }

    [Theory]
    [InlineData("%PDF-1.7\nthis is not a document at all\n")]
    [InlineData("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R\n")]
    public async Task Refuse_a_pdf_that_cannot_be_parsed_as_malformed(string text)
    {
        var result = await AssertRejectedAsync(Encoding.ASCII.GetBytes(text), ChatErrorCode.DocumentMalformed);

        Assert.Equal("application/pdf", result.ContentType);
    }

    [Fact]
    public async Task Refuse_a_pdf_whose_structure_cannot_be_walked_within_the_time_allowed()
    {
        var options = new AttachmentOptions { DocumentInspectionTimeout = TimeSpan.FromTicks(1) };

        var result = await AssertRejectedAsync(CorpusFiles.Read("shared-mime-info-spec.pdf"), ChatErrorCode.DocumentMalformed, options);

        Assert.Contains("too complex", result.RejectionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_the_real_pdf_of_the_corpus_after_parsing_every_object()
    {
        var content = CorpusFiles.Read("shared-mime-info-spec.pdf");

        var scan = PdfStructureScanner.Scan(content, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(PdfScanResult.Clean, scan);
        await AssertAcceptedAsync(content);
    }
}
