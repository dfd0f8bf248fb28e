using System.Text;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    private const string Catalog = "<< /Type /Catalog /Pages 2 0 R >>";
    private const string Pages = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    private const string Page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>";

    private static string MinimalPdf { get; } = Encoding.Latin1.GetString(PdfBytes.Classic(Catalog, Pages, Page));

    [Fact]
    public async Task Accept_a_pdf_and_store_it_unchanged()
    {
        var content = Encoding.Latin1.GetBytes(MinimalPdf);

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.Equal("application/pdf", result.ContentType);
        Assert.Equal(content, stored);
    }

    [Theory]
    [InlineData("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")]
    [InlineData("/AA << /O << /S /J#61vaScript /J#53 (app.alert(1)) >> >>")]
    [InlineData("/OpenAction << /S /Launch /F (cmd.exe) >>")]
    [InlineData("/Names << /EmbeddedFiles 9 0 R >>")]
    [InlineData("/Annots [<</Subtype/RichMedia>>]")]
    public async Task Reject_a_pdf_with_active_content(string catalogEntry)
    {
        var content = PdfBytes.Classic(Catalog.Replace("/Type /Catalog", "/Type /Catalog " + catalogEntry, StringComparison.Ordinal), Pages, Page);

        var result = await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);

        Assert.Equal("application/pdf", result.ContentType);
    }

    [Fact]
    public async Task Find_a_pdf_script_name_split_across_read_chunks()
    {
        // The copy reads 80 KiB at a time: put the name across the first boundary.
        var padding = new string(' ', (80 * 1024) - "%PDF-1.4\n".Length - 5);
        var content = Encoding.ASCII.GetBytes("%PDF-1.4\n" + padding + "/JavaScript (x)\n%%EOF\n");

        await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);
    }

    [Fact]
    public async Task Accept_a_pdf_whose_names_only_start_like_active_ones()
    {
        var content = PdfBytes.Classic(Catalog.Replace("/Type /Catalog", "/Type /Catalog /JSONData 1 /Launcher 2 /Lang (fr)", StringComparison.Ordinal), Pages, Page);

        await AssertAcceptedAsync(content);
    }

    [Fact]
    public async Task Refuse_a_portable_executable_that_claims_to_be_a_pdf()
    {
        var result = await AssertRejectedAsync(CorpusFiles.Read("pe_as.pdf"), ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal("application/vnd.microsoft.portable-executable", result.ContentType);
    }

    [Fact]
    public async Task Accept_utf8_text_with_a_bom_and_crlf_unchanged()
    {
        var content = CorpusFiles.Read("courses_bom.txt");
        Assert.Equal([0xEF, 0xBB, 0xBF], content[..3]);

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.Equal("text/plain", result.ContentType);
        Assert.Equal(content, stored);
    }

    [Fact]
    public async Task Accept_text_whose_multibyte_characters_straddle_read_chunks()
    {
        // "€" is three bytes; 80 KiB is not a multiple of three, so one of them crosses the chunk boundary.
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("€", 60_000)));

        await AssertAcceptedAsync(content);
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0xE9, 0x62 })] // Latin-1 é
    [InlineData(new byte[] { 0x61, 0xC3, 0x28 })] // bad continuation
    [InlineData(new byte[] { 0x61, 0xED, 0xA0, 0x80 })] // encoded surrogate
    [InlineData(new byte[] { 0x61, 0xC0, 0xAF })] // overlong "/"
    [InlineData(new byte[] { 0x61, 0x62, 0xE2, 0x82 })] // cut inside the last character
    public async Task Reject_text_that_is_not_utf8(byte[] content)
    {
        var result = await AssertRejectedAsync(content, ChatErrorCode.TextNotUtf8);

        Assert.Equal("text/plain", result.ContentType);
    }

    [Fact]
    public async Task Reject_text_that_becomes_invalid_after_the_first_chunk()
    {
        byte[] content = [.. Encoding.UTF8.GetBytes(new string('a', 200_000)), 0xFF, .. "end"u8];

        await AssertRejectedAsync(content, ChatErrorCode.TextNotUtf8);
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x00, 0x62 })] // NUL
    [InlineData(new byte[] { 0x61, 0x1B, 0x5B, 0x32, 0x4A })] // ESC sequence
    [InlineData(new byte[] { 0x61, 0xC2, 0x85, 0x62 })] // C1 control (NEL)
    public async Task Treat_text_with_control_characters_as_binary(byte[] content)
    {
        var result = await AssertRejectedAsync(content, ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal("application/octet-stream", result.ContentType);
    }

    [Fact]
    public async Task Treat_control_characters_after_the_sniffed_head_as_binary()
    {
        byte[] content = [.. Encoding.UTF8.GetBytes(new string('a', 100_000)), 0x00, 0x01];

        await AssertRejectedAsync(content, ChatErrorCode.AttachmentTypeNotAllowed);
    }

    [Fact]
    public async Task Accept_text_with_tabs_form_feeds_and_both_line_endings()
    {
        await AssertAcceptedAsync("col1\tcol2\r\nline\npage\fend"u8.ToArray());
    }

    [Theory]
    [InlineData("<!DOCTYPE html><p>hi</p>", "text/html")]
    [InlineData("\n\t  <HTML><body>hi</body></HTML>", "text/html")]
    [InlineData("\uFEFF<script>alert(1)</script>", "text/html")]
    [InlineData("<!-- note --><html>", "text/html")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml")]
    [InlineData("<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg/>", "image/svg+xml")]
    public async Task Refuse_markup_that_browsers_would_run_even_though_it_is_utf8_text(string text, string sniffedType)
    {
        var result = await AssertRejectedAsync(Encoding.UTF8.GetBytes(text), ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal(sniffedType, result.ContentType);
    }

    [Theory]
    [InlineData("Objet : réunion de lundi")]
    [InlineData("<3 merci pour tout")]
    [InlineData("MZ-Transport: devis ci-joint")]
    [InlineData("PK, see you at 5")]
    [InlineData("<?xml version=\"1.0\"?><order id=\"42\"/>")]
    public async Task Accept_text_that_only_looks_like_a_signature(string text)
    {
        var result = await AssertAcceptedAsync(Encoding.UTF8.GetBytes(text));

        Assert.Equal("text/plain", result.ContentType);
    }
}
