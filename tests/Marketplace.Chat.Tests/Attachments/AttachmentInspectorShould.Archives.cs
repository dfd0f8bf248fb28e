using System.Diagnostics;
using Marketplace.Chat.Attachments;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    private const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    [Fact]
    public async Task Reject_a_zip_that_expands_past_the_bound()
    {
        var content = CorpusFiles.Read("zip_bomb.zip");
        var clock = Stopwatch.StartNew();

        var result = await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);

        // 1.06 GiB of zeros would take seconds to inflate; refusing from the declared sizes takes milliseconds.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(AttachmentKind.File, result.Kind);
    }

    [Fact]
    public async Task Reject_a_zip_whose_entries_expand_past_what_they_declare()
    {
        var honest = ZipBytes.Build(("zeros.bin", new byte[8 * 1024 * 1024]));
        await AssertRejectedAsync(honest, ChatErrorCode.ArchiveNotAllowed);

        // Declared: 1000 bytes with the CRC of 1000 zeros, so a reader that stops at the declared size sees a valid entry.
        var lying = ZipBytes.WithDeclaredLength(honest, 1000, ZipBytes.Crc32(new byte[1000]));

        await AssertRejectedAsync(lying, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Reject_a_zip_whose_crc_does_not_match_its_content()
    {
        var content = ZipBytes.Build(("readme.txt", "hello"));
        var wrongCrc = ZipBytes.WithDeclaredLength(content, 5, ZipBytes.Crc32("hellO"u8));

        await AssertAcceptedAsync(ZipBytes.WithDeclaredLength(content, 5, ZipBytes.Crc32("hello"u8)));
        await AssertRejectedAsync(wrongCrc, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Reject_a_zip_followed_by_other_data()
    {
        byte[] content = [.. ZipBytes.Build(("readme.txt", "hello")), .. "<script>alert(1)</script>"u8];

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Reject_a_zip_whose_entries_together_expand_past_the_configured_bound()
    {
        // Entries of 600 KiB each stay under the ratio grace, so only the total bound can stop them.
        var entries = Enumerable.Range(0, 4).Select(index => ($"part{index}.bin", new byte[600 * 1024])).ToArray();
        var content = ZipBytes.Build(entries);

        await AssertAcceptedAsync(content, new AttachmentOptions { MaxArchiveExpandedBytes = 4 * 600 * 1024 });
        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed, new AttachmentOptions { MaxArchiveExpandedBytes = (4 * 600 * 1024) - 1 });
    }

    [Fact]
    public async Task Reject_a_zip_entry_compressed_past_the_ratio()
    {
        var content = ZipBytes.Build(("zeros.bin", new byte[4 * 1024 * 1024]));

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);
        await AssertAcceptedAsync(content, new AttachmentOptions { MaxArchiveCompressionRatio = 10_000 });
    }

    [Fact]
    public async Task Accept_a_small_highly_compressible_entry_under_the_ratio_grace()
    {
        var content = ZipBytes.Build(("blank.txt", new string(' ', 100_000)));

        var result = await AssertAcceptedAsync(content);

        Assert.Equal("application/zip", result.ContentType);
    }

    [Fact]
    public async Task Reject_a_zip_with_more_entries_than_allowed()
    {
        var entries = Enumerable.Range(0, 11).Select(index => ($"file{index}.txt", "x")).ToArray();
        var content = ZipBytes.Build(entries);

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed, new AttachmentOptions { MaxArchiveEntries = 10 });
        await AssertAcceptedAsync(content, new AttachmentOptions { MaxArchiveEntries = 11 });
    }

    [Theory]
    [InlineData("../evil.sh")]
    [InlineData("docs/../../evil.sh")]
    [InlineData("..\\evil.bat")]
    [InlineData("/etc/cron.d/evil")]
    [InlineData("\\Windows\\evil.dll")]
    [InlineData("C:/Windows/evil.dll")]
    public async Task Reject_a_zip_entry_whose_path_escapes_the_extraction_folder(string name)
    {
        var content = ZipBytes.Build(("readme.txt", "hello"), (name, "boom"));

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Accept_a_zip_whose_names_merely_contain_dots()
    {
        var content = ZipBytes.Build(("notes..txt", "a"), ("v1.2/..hidden", "b"), ("./readme.txt", "c"));

        await AssertAcceptedAsync(content);
    }

    [Fact]
    public async Task Reject_an_encrypted_zip()
    {
        var content = ZipBytes.MarkedEncrypted(ZipBytes.Build(("secret.txt", "hello")));

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Reject_a_damaged_zip()
    {
        var content = ZipBytes.Build(("readme.txt", "hello world, hello world"));

        await AssertRejectedAsync(content[..(content.Length / 2)], ChatErrorCode.ArchiveNotAllowed);
        await AssertRejectedAsync([.. "PK\u0003\u0004"u8, .. new byte[100]], ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Reject_a_zip_with_the_same_name_twice()
    {
        var content = ZipBytes.Build(("readme.txt", "harmless"), ("README.TXT", "the one an extractor keeps"));

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Recognise_a_word_document_from_its_package_content_types()
    {
        var content = ZipBytes.Build(
            ("[Content_Types].xml", ZipBytes.ContentTypes(Docx + ".main+xml")),
            ("_rels/.rels", ZipBytes.RootRelationships()),
            ("main/part.xml", "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>"));

        var result = await AssertAcceptedAsync(content);

        Assert.Equal(Docx, result.ContentType);
    }

    [Fact]
    public async Task Reject_a_word_document_that_carries_a_vba_project()
    {
        // The content types look like a plain .docx; only the part gives the macros away.
        var content = ZipBytes.Build(
            ("[Content_Types].xml", Utf8(ZipBytes.ContentTypes(Docx + ".main+xml"))),
            ("_rels/.rels", Utf8(ZipBytes.RootRelationships())),
            ("main/part.xml", Utf8("<w:document/>")),
            ("word/vbaProject.bin", new byte[512]));

        var result = await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);

        Assert.Equal(Docx, result.ContentType);
    }

    [Fact]
    public async Task Reject_a_macro_enabled_workbook()
    {
        var content = ZipBytes.Build(
            ("[Content_Types].xml", ZipBytes.ContentTypes("application/vnd.ms-excel.sheet.macroEnabled.main+xml")),
            ("_rels/.rels", ZipBytes.RootRelationships()),
            ("main/part.xml", "<workbook/>"));

        var result = await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);

        Assert.Equal("application/vnd.ms-excel.sheet.macroenabled.12", result.ContentType);
    }

    [Fact]
    public async Task Reject_the_corpus_macro_document_as_macro_enabled()
    {
        var result = await AssertRejectedAsync(CorpusFiles.Read("macro_docm_as.docx"), ChatErrorCode.ActiveContentNotAllowed);

        Assert.Equal("application/vnd.ms-word.document.macroenabled.12", result.ContentType);
    }

    [Fact]
    public async Task Reject_a_presentation_that_is_not_on_the_allow_list()
    {
        const string presentation = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
        var content = ZipBytes.Build(
            ("[Content_Types].xml", ZipBytes.ContentTypes(presentation + ".main+xml")),
            ("_rels/.rels", ZipBytes.RootRelationships()),
            ("main/part.xml", "<p:presentation/>"));

        var result = await AssertRejectedAsync(content, ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal(presentation, result.ContentType);
    }

    [Fact]
    public async Task Reject_a_package_whose_content_types_declare_a_dtd()
    {
        var contentTypes = "<?xml version=\"1.0\"?><!DOCTYPE Types [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"&b;\"/></Types>";
        var content = ZipBytes.Build(("[Content_Types].xml", contentTypes), ("_rels/.rels", ZipBytes.RootRelationships()));

        await AssertRejectedAsync(content, ChatErrorCode.ArchiveNotAllowed);
    }

    [Fact]
    public async Task Recognise_an_open_document_from_its_mimetype_entry()
    {
        var result = await AssertAcceptedAsync(CorpusFiles.Read("notes.odt"));

        Assert.Equal("application/vnd.oasis.opendocument.text", result.ContentType);
    }

    [Fact]
    public async Task Reject_an_open_document_with_basic_macros()
    {
        var content = ZipBytes.Build(
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", "<office:document-content/>"),
            ("Basic/Standard/Module1.xml", "<script:module>Sub AutoOpen</script:module>"));

        await AssertRejectedAsync(content, ChatErrorCode.ActiveContentNotAllowed);
    }

    [Fact]
    public async Task Reject_an_open_document_spreadsheet_that_is_not_on_the_allow_list()
    {
        var content = ZipBytes.Build(("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", "<office:document-content/>"));

        var result = await AssertRejectedAsync(content, ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal("application/vnd.oasis.opendocument.spreadsheet", result.ContentType);
    }

    [Fact]
    public async Task Store_an_accepted_archive_unchanged()
    {
        var content = CorpusFiles.Read("archive.zip");

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.False(result.MetadataStripped);
        Assert.Equal(content, stored);
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
