using Marketplace.Chat.Attachments;

namespace Marketplace.Chat.Tests.Attachments;

public class AttachmentFileNameShould
{
    [Theory]
    [InlineData("photo.jpg", "image/jpeg", "photo.jpg")]
    [InlineData("Photo.JPEG", "image/jpeg", "Photo.JPEG")]
    [InlineData("facture mars.pdf", "application/pdf", "facture mars.pdf")]
    [InlineData("Lettre à Zoé.txt", "text/plain", "Lettre à Zoé.txt")]
    public void Keep_a_harmless_name_whose_extension_matches_the_content(string original, string contentType, string expected)
    {
        Assert.Equal(expected, AttachmentFileName.ForDisplay(original, contentType));
    }

    [Theory]
    [InlineData("../../etc/passwd", "text/plain", "passwd.txt")]
    [InlineData(@"C:\Users\alice\Desktop\scan.pdf", "application/pdf", "scan.pdf")]
    [InlineData(@"..\..\boot.ini", "text/plain", "boot.ini.txt")]
    [InlineData("/var/www/", "image/png", "attachment.png")]
    public void Keep_only_the_last_path_segment(string original, string contentType, string expected)
    {
        Assert.Equal(expected, AttachmentFileName.ForDisplay(original, contentType));
    }

    [Fact]
    public void Remove_bidi_overrides_that_disguise_the_extension()
    {
        // "invoice‮fdp.exe" displays as "invoiceexe.pdf" in a right-to-left-aware UI.
        var name = AttachmentFileName.ForDisplay("invoice\u202Efdp.exe", "application/pdf");

        Assert.Equal("invoicefdp_exe.pdf", name);
    }

    [Fact]
    public void Remove_control_zero_width_and_isolate_characters_and_replace_reserved_ones()
    {
        var name = AttachmentFileName.ForDisplay("a\u0000b\r\n\u200Bc\u2066d\u2069:e?*f|\"g<h>.txt", "text/plain");

        Assert.Equal("abcd_e__f__g_h_.txt", name);
    }

    [Theory]
    [InlineData("photo.png", "image/jpeg", "photo.png.jpg")]
    [InlineData("invoice.pdf.exe", "application/pdf", "invoice.pdf_exe.pdf")]
    [InlineData("README", "text/plain", "README.txt")]
    [InlineData("page.html", "text/plain", "page_html.txt")]
    public void Give_the_name_an_extension_that_matches_the_content(string original, string contentType, string expected)
    {
        Assert.Equal(expected, AttachmentFileName.ForDisplay(original, contentType));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("...")]
    [InlineData("\u202E\u200B")]
    public void Fall_back_to_a_neutral_name_when_nothing_usable_is_left(string? original)
    {
        Assert.Equal("attachment.jpg", AttachmentFileName.ForDisplay(original, "image/jpeg"));
    }

    [Theory]
    [InlineData(".htaccess", "text/plain", "htaccess.txt")]
    [InlineData("notes.txt. . .", "text/plain", "notes.txt")]
    [InlineData("CON.txt", "text/plain", "_CON.txt")]
    [InlineData("lpt1", "text/plain", "_lpt1.txt")]
    public void Avoid_hidden_and_device_names(string original, string contentType, string expected)
    {
        Assert.Equal(expected, AttachmentFileName.ForDisplay(original, contentType));
    }

    [Fact]
    public void Cap_the_length_and_keep_the_extension()
    {
        var name = AttachmentFileName.ForDisplay(new string('x', 500) + ".pdf", "application/pdf");

        Assert.Equal(AttachmentFileName.MaxLength, name.Length);
        Assert.EndsWith("x.pdf", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_split_a_surrogate_pair_at_the_cap()
    {
        var name = AttachmentFileName.ForDisplay(string.Concat(Enumerable.Repeat("😀", 200)) + ".png", "image/png");

        Assert.True(name.Length <= AttachmentFileName.MaxLength);
        Assert.EndsWith(".png", name, StringComparison.Ordinal);
        Assert.All(name[..^4].Chunk(2), pair => Assert.True(char.IsSurrogatePair(pair[0], pair[1])));
    }

    [Fact]
    public void Collapse_runs_of_spaces_and_line_separators()
    {
        Assert.Equal("a b c.txt", AttachmentFileName.ForDisplay("a \u00A0\u2028 b\u3000\u3000c.txt", "text/plain"));
    }
}
