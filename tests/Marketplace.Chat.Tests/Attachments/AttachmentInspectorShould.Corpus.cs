using Marketplace.Chat.Attachments;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.Xmp;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    // Written from the manifest's reasons, independently of the implementation.
    private static readonly Dictionary<string, ChatErrorCode> ExpectedRefusals = new()
    {
        ["elf_as.jpg"] = ChatErrorCode.AttachmentTypeNotAllowed,
        ["pe_as.pdf"] = ChatErrorCode.AttachmentTypeNotAllowed,
        ["html_as.png"] = ChatErrorCode.AttachmentTypeNotAllowed,
        ["logo_script.svg"] = ChatErrorCode.AttachmentTypeNotAllowed,
        ["gif_js_polyglot.gif"] = ChatErrorCode.ImageTrailingData,
        ["pixel_bomb_60000.png"] = ChatErrorCode.ImageTooLarge,
        ["truncated.jpg"] = ChatErrorCode.ImageMalformed,
        ["empty.jpg"] = ChatErrorCode.AttachmentEmpty,
        ["macro_docm_as.docx"] = ChatErrorCode.ActiveContentNotAllowed,
        ["zip_bomb.zip"] = ChatErrorCode.ArchiveNotAllowed,
        ["invalid_utf8.txt"] = ChatErrorCode.TextNotUtf8,
    };

    private static readonly string[] PngTextDirectories = ["PNG-tEXt", "PNG-zTXt", "PNG-iTXt", "PNG-eXIf", "PNG-tIME"];

    /// <summary>Lists every file named in MANIFEST.tsv.</summary>
    public static TheoryData<string> ManifestFiles() => new(CorpusFiles.Manifest.Select(row => row.File));

    [Fact]
    public void Have_an_expectation_for_every_manifest_row()
    {
        Assert.Equal(27, CorpusFiles.Manifest.Count);
        foreach (var row in CorpusFiles.Manifest)
        {
            Assert.True(File.Exists(Path.Combine(CorpusFiles.Directory, row.File)), $"{row.File} is not in the copied corpus.");
            Assert.Contains(row.Expected, new[] { "accept", "accept-stripped", "reject" });
            if (row.Expected == "reject")
            {
                Assert.True(ExpectedRefusals.ContainsKey(row.File), $"{row.File} has no expected refusal code.");
            }
            else if (row.Category == "image")
            {
                Assert.True(CorpusFiles.ImageSizes.ContainsKey(row.File), $"{row.File} has no expected size.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public async Task Give_each_corpus_file_the_verdict_its_manifest_expects(string file)
    {
        var row = CorpusFiles.Row(file);
        var content = CorpusFiles.Read(file);
        if (row.Expected == "reject")
        {
            await AssertRejectedAsync(content, ExpectedRefusals[file]);
            return;
        }

        var result = await AssertAcceptedAsync(content);
        Assert.Equal(row.TrueType, result.ContentType);
        Assert.Equal(row.Category == "image" ? AttachmentKind.Image : AttachmentKind.File, result.Kind);
        Assert.Equal(row.Expected == "accept-stripped", result.MetadataStripped);
        if (row.Category == "image")
        {
            Assert.Equal(CorpusFiles.ImageSizes[file], (result.Width!.Value, result.Height!.Value));
        }
        else
        {
            Assert.Null(result.Width);
            Assert.Null(result.Height);
        }
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public async Task Store_corpus_files_without_metadata_and_with_identical_pixel_data(string file)
    {
        var row = CorpusFiles.Row(file);
        if (row.Expected == "reject")
        {
            return;
        }

        var content = CorpusFiles.Read(file);
        var (result, stored) = await InspectAsync(content);
        Assert.True(result.Accepted);
        if (row.Expected == "accept")
        {
            // Nothing to remove: the stored copy is the upload, byte for byte.
            Assert.Equal(content, stored);
            return;
        }

        Assert.True(stored.Length < content.Length);
        Assert.NotEmpty(PrivateDirectories(content));
        Assert.Empty(PrivateDirectories(stored));
        var (width, height) = CorpusFiles.ImageSizes[file];
        var image = ImageMetadataReader.ReadMetadata(new MemoryStream(stored)).First(directory => directory.Tags.Any(tag => tag.Name == "Image Width"));
        Assert.Equal(width, image.GetInt32(image.Tags.First(tag => tag.Name == "Image Width").Type));
        Assert.Equal(height, image.GetInt32(image.Tags.First(tag => tag.Name == "Image Height").Type));

        switch (row.TrueType)
        {
            case "image/jpeg":
                Assert.Equal(ImageBytes.JpegScanData(content), ImageBytes.JpegScanData(stored));
                break;
            case "image/png":
                Assert.Equal(ImageBytes.PngImageData(content), ImageBytes.PngImageData(stored));
                Assert.DoesNotContain(ImageBytes.PngChunks(stored), chunk => chunk.Type is "eXIf" or "tEXt" or "zTXt" or "iTXt" or "tIME");
                break;
            case "image/webp":
                Assert.Equal(ImageBytes.WebPImageData(content), ImageBytes.WebPImageData(stored));
                Assert.DoesNotContain(ImageBytes.WebPChunks(stored), chunk => chunk.FourCc is "EXIF" or "XMP ");
                Assert.Equal(0, ImageBytes.WebPChunks(stored)[0].Data[0] & 0x0C);
                break;
            default:
                Assert.Fail($"No pixel comparison for {row.TrueType}.");
                break;
        }
    }

    [Fact]
    public async Task Keep_the_jfif_header_and_drop_exif_xmp_and_comment_segments()
    {
        var content = CorpusFiles.Read("xmp_comment.jpg");
        Assert.Equal([0xE0, 0xE1, 0xFE], ImageBytes.JpegMarkersBeforeScan(content).Take(3));

        var (_, stored) = await InspectAsync(content);

        var markers = ImageBytes.JpegMarkersBeforeScan(stored);
        Assert.Equal(0xE0, markers[0]);
        Assert.DoesNotContain((byte)0xE1, markers);
        Assert.DoesNotContain((byte)0xFE, markers);
        Assert.Equal(ImageBytes.JpegMarkersBeforeScan(content).Where(marker => marker is not 0xE1 and not 0xFE), markers);
    }

    [Fact]
    public async Task Refuse_an_executable_whatever_name_it_came_with()
    {
        var result = await AssertRejectedAsync(CorpusFiles.Read("elf_as.jpg"), ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal(AttachmentKind.File, result.Kind);
        Assert.Equal("application/x-executable", result.ContentType);
    }

    [Fact]
    public async Task Refuse_html_whatever_name_it_came_with()
    {
        var result = await AssertRejectedAsync(CorpusFiles.Read("html_as.png"), ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal("text/html", result.ContentType);
    }

    [Fact]
    public async Task Refuse_svg_with_its_sniffed_type()
    {
        var result = await AssertRejectedAsync(CorpusFiles.Read("logo_script.svg"), ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal("image/svg+xml", result.ContentType);
    }

    [Fact]
    public async Task Refuse_a_pixel_bomb_from_its_header_and_report_its_size()
    {
        var result = await AssertRejectedAsync(CorpusFiles.Read("pixel_bomb_60000.png"), ChatErrorCode.ImageTooLarge);

        Assert.Equal(AttachmentKind.Image, result.Kind);
        Assert.Equal((60000, 60000), (result.Width!.Value, result.Height!.Value));
    }

    [Fact]
    public async Task Accept_a_letter_that_starts_with_Obj_as_text()
    {
        var content = CorpusFiles.Read("lettre_fr.txt");
        Assert.Equal("Obj"u8.ToArray(), content[..3]);

        var result = await AssertAcceptedAsync(content);

        Assert.Equal("text/plain", result.ContentType);
    }

    private static List<string> PrivateDirectories(byte[] image) =>
        ImageMetadataReader.ReadMetadata(new MemoryStream(image))
            .Where(directory => directory is ExifDirectoryBase or XmpDirectory or JpegCommentDirectory
                || (directory is PngDirectory && PngTextDirectories.Contains(directory.Name)))
            .Select(directory => directory.Name)
            .ToList();
}
