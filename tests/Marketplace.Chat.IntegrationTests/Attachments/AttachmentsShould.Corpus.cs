using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Marketplace.Chat.Attachments;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.Xmp;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    // Written from the manifest's reasons, independently of the implementation.
    private static readonly Dictionary<string, (ChatErrorCode Code, HttpStatusCode Status)> ExpectedRefusals = new()
    {
        ["elf_as.jpg"] = (ChatErrorCode.AttachmentTypeNotAllowed, HttpStatusCode.UnsupportedMediaType),
        ["pe_as.pdf"] = (ChatErrorCode.AttachmentTypeNotAllowed, HttpStatusCode.UnsupportedMediaType),
        ["html_as.png"] = (ChatErrorCode.AttachmentTypeNotAllowed, HttpStatusCode.UnsupportedMediaType),
        ["logo_script.svg"] = (ChatErrorCode.AttachmentTypeNotAllowed, HttpStatusCode.UnsupportedMediaType),
        ["gif_js_polyglot.gif"] = (ChatErrorCode.ImageTrailingData, HttpStatusCode.UnsupportedMediaType),
        ["pixel_bomb_60000.png"] = (ChatErrorCode.ImageTooLarge, HttpStatusCode.RequestEntityTooLarge),
        ["truncated.jpg"] = (ChatErrorCode.ImageMalformed, HttpStatusCode.UnsupportedMediaType),
        ["empty.jpg"] = (ChatErrorCode.AttachmentEmpty, HttpStatusCode.UnsupportedMediaType),
        ["macro_docm_as.docx"] = (ChatErrorCode.ActiveContentNotAllowed, HttpStatusCode.UnsupportedMediaType),
        ["zip_bomb.zip"] = (ChatErrorCode.ArchiveNotAllowed, HttpStatusCode.UnsupportedMediaType),
        ["invalid_utf8.txt"] = (ChatErrorCode.TextNotUtf8, HttpStatusCode.UnsupportedMediaType),
    };

    private static readonly string[] PngTextDirectories = ["PNG-tEXt", "PNG-zTXt", "PNG-iTXt", "PNG-eXIf", "PNG-tIME"];

    public static TheoryData<string> ManifestFiles() => new(CorpusFiles.Manifest.Select(row => row.File));

    [Fact]
    public void Have_an_expectation_for_every_corpus_file_and_the_counts_the_readme_gives()
    {
        var verdicts = CorpusFiles.Manifest.GroupBy(row => row.Expected).ToDictionary(g => g.Key, g => g.Count());

        // README "Attachments": 12 accepted unchanged, 4 accepted with metadata stripped, 11 rejected.
        Assert.Equal(new Dictionary<string, int> { ["accept"] = 12, ["accept-stripped"] = 4, ["reject"] = 11 }, verdicts);
        foreach (var row in CorpusFiles.Manifest)
        {
            Assert.True(File.Exists(Path.Combine(CorpusFiles.Directory, row.File)), $"{row.File} is missing from the corpus.");
            Assert.True(
                row.Expected == "reject" ? ExpectedRefusals.ContainsKey(row.File) : row.Category != "image" || CorpusFiles.ImageSizes.ContainsKey(row.File),
                $"{row.File} has no expectation.");
        }
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public async Task Give_every_corpus_file_uploaded_over_http_the_verdict_its_manifest_expects(string file)
    {
        var row = CorpusFiles.Row(file);
        var content = CorpusFiles.Read(file);
        var deal = await NewDealAsync();
        var filesBefore = StoredFiles(_storageRoot).Count;

        // The declared type lies on purpose: only the bytes count.
        var declared = row.Category == "image" ? "application/pdf" : "image/png";
        using var response = await UploadAsync(deal.Buyer, deal.ConversationId, content, file, declared);

        if (row.Expected == "reject")
        {
            var (status, code) = await ProblemOf(response);
            Assert.Equal((ExpectedRefusals[file].Status, ExpectedRefusals[file].Code.ToString()), (status, code));
            Assert.Empty(await RowsAsync(_host, deal.ConversationId));
            Assert.Equal(filesBefore, StoredFiles(_storageRoot).Count);
            return;
        }

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var info = (await response.Content.ReadFromJsonAsync<ChatAttachmentInfo>(Json))!;
        Assert.Equal($"/chat/attachments/{info.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(row.TrueType, info.ContentType);
        Assert.Equal(row.Category == "image" ? AttachmentKind.Image : AttachmentKind.File, info.Kind);
        Assert.Equal(row.Expected == "accept-stripped", info.MetadataRemoved);
        Assert.Equal(file, info.FileName);
        Assert.Equal(CorpusFiles.ImageSizes.TryGetValue(file, out var size) ? size : ((int, int)?)null, info.Width is null ? null : (info.Width.Value, info.Height!.Value));
        Assert.Single(await RowsAsync(_host, deal.ConversationId));
        // An image is stored with its preview.
        Assert.Equal(filesBefore + (info.Kind == AttachmentKind.Image ? 2 : 1), StoredFiles(_storageRoot).Count);
        Assert.Equal(info.Kind == AttachmentKind.Image, info.Preview is not null);

        // The uploader may fetch their own upload before sending it: this is the stored copy.
        using var download = await DownloadAsync(deal.Buyer, info.Id);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var stored = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(info.Length, stored.Length);
        Assert.Equal(info.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        if (row.Expected == "accept")
        {
            Assert.Equal(content, stored);
            return;
        }

        Assert.True(stored.Length < content.Length);
        Assert.NotEmpty(PrivateDirectories(content));
        Assert.Empty(PrivateDirectories(stored));
        var directories = ImageMetadataReader.ReadMetadata(new MemoryStream(stored));
        Assert.DoesNotContain(directories, d => d is GpsDirectory or ExifDirectoryBase or XmpDirectory);
        Assert.Equal(ImageData.Of(row.TrueType, content), ImageData.Of(row.TrueType, stored));
        var image = directories.First(d => d.Tags.Any(t => t.Name == "Image Width"));
        Assert.Equal(size.Width, image.GetInt32(image.Tags.First(t => t.Name == "Image Width").Type));
        Assert.Equal(size.Height, image.GetInt32(image.Tags.First(t => t.Name == "Image Height").Type));
    }

    private static List<string> PrivateDirectories(byte[] image) =>
        ImageMetadataReader.ReadMetadata(new MemoryStream(image))
            .Where(directory => directory is ExifDirectoryBase or XmpDirectory or JpegCommentDirectory
                || (directory is PngDirectory && PngTextDirectories.Contains(directory.Name)))
            .Select(directory => directory.Name)
            .ToList();
}
