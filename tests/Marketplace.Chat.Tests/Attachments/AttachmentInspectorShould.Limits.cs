using System.Text;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Attachments.Inspection;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    [Fact]
    public async Task Accept_a_file_exactly_at_the_file_limit()
    {
        var content = Encoding.UTF8.GetBytes(new string('a', 100));

        var result = await AssertAcceptedAsync(content, new AttachmentOptions { MaxFileBytes = 100 });

        Assert.Equal(100, result.StoredLength);
    }

    [Fact]
    public async Task Refuse_a_file_one_byte_over_the_file_limit()
    {
        var content = Encoding.UTF8.GetBytes(new string('a', 101));

        var result = await AssertRejectedAsync(content, ChatErrorCode.AttachmentTooLarge, new AttachmentOptions { MaxFileBytes = 100 });

        Assert.Equal(AttachmentKind.File, result.Kind);
        Assert.Contains("100 bytes", result.RejectionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_an_image_exactly_at_the_image_limit()
    {
        var content = CorpusFiles.Read("diagram.png");

        await AssertAcceptedAsync(content, new AttachmentOptions { MaxImageBytes = content.Length });
    }

    [Fact]
    public async Task Refuse_an_image_one_byte_over_the_image_limit()
    {
        var content = CorpusFiles.Read("diagram.png");

        var result = await AssertRejectedAsync(content, ChatErrorCode.AttachmentTooLarge, new AttachmentOptions { MaxImageBytes = content.Length - 1 });

        Assert.Equal(AttachmentKind.Image, result.Kind);
        Assert.Equal("image/png", result.ContentType);
    }

    [Fact]
    public async Task Apply_the_image_limit_to_images_even_when_the_file_limit_is_larger()
    {
        var content = CorpusFiles.Read("diagram.png");
        var options = new AttachmentOptions { MaxImageBytes = content.Length - 1, MaxFileBytes = content.Length * 10L };

        await AssertRejectedAsync(content, ChatErrorCode.AttachmentTooLarge, options);
    }

    [Fact]
    public async Task Apply_the_file_limit_to_files_even_when_the_image_limit_is_larger()
    {
        var content = Encoding.UTF8.GetBytes(new string('a', 200));

        await AssertRejectedAsync(content, ChatErrorCode.AttachmentTooLarge, new AttachmentOptions { MaxImageBytes = 1000, MaxFileBytes = 199 });
        await AssertAcceptedAsync(content, new AttachmentOptions { MaxImageBytes = 100, MaxFileBytes = 200 });
    }

    [Fact]
    public async Task Accept_an_image_exactly_at_the_pixel_cap()
    {
        var result = await AssertAcceptedAsync(CorpusFiles.Read("diagram.png"), new AttachmentOptions { MaxImagePixels = 556 * 376 });

        Assert.Equal((556, 376), (result.Width!.Value, result.Height!.Value));
    }

    [Fact]
    public async Task Refuse_an_image_one_pixel_over_the_pixel_cap()
    {
        var result = await AssertRejectedAsync(
            CorpusFiles.Read("diagram.png"), ChatErrorCode.ImageTooLarge, new AttachmentOptions { MaxImagePixels = (556 * 376) - 1 });

        Assert.Equal((556, 376), (result.Width!.Value, result.Height!.Value));
    }

    [Theory]
    [InlineData("photo_bali_small.jpg", 158 * 107)]
    [InlineData("cat.gif", 113 * 146)]
    [InlineData("icon.webp", 512 * 512)]
    public async Task Apply_the_pixel_cap_to_every_image_format(string file, long pixels)
    {
        var content = CorpusFiles.Read(file);

        await AssertAcceptedAsync(content, new AttachmentOptions { MaxImagePixels = pixels });
        await AssertRejectedAsync(content, ChatErrorCode.ImageTooLarge, new AttachmentOptions { MaxImagePixels = pixels - 1 });
    }

    [Fact]
    public async Task Refuse_a_type_that_the_allow_list_leaves_out()
    {
        var options = new AttachmentOptions();
        options.AllowedImageTypes.Remove("image/gif");
        options.AllowedFileTypes.Remove("application/pdf");

        var gif = await AssertRejectedAsync(CorpusFiles.Read("cat.gif"), ChatErrorCode.AttachmentTypeNotAllowed, options);
        await AssertRejectedAsync(CorpusFiles.Read("shared-mime-info-spec.pdf"), ChatErrorCode.AttachmentTypeNotAllowed, options);
        await AssertAcceptedAsync(CorpusFiles.Read("diagram.png"), options);

        Assert.Equal("image/gif", gif.ContentType);
    }

    [Fact]
    public async Task Compare_allowed_types_without_regard_to_case()
    {
        var options = new AttachmentOptions
        {
            AllowedImageTypes = new HashSet<string>(StringComparer.Ordinal) { "IMAGE/PNG" },
            AllowedFileTypes = new HashSet<string>(StringComparer.Ordinal) { "Text/Plain" },
        };

        await AssertAcceptedAsync(CorpusFiles.Read("diagram.png"), options);
        await AssertAcceptedAsync(CorpusFiles.Read("lettre_fr.txt"), options);
        await AssertRejectedAsync(CorpusFiles.Read("cat.gif"), ChatErrorCode.AttachmentTypeNotAllowed, options);
    }

    [Fact]
    public void Refuse_at_construction_a_type_it_cannot_verify()
    {
        var options = new AttachmentOptions();
        options.AllowedImageTypes.Add("image/svg+xml");

        var error = Assert.Throws<InvalidOperationException>(() => new AttachmentInspector(options));

        Assert.Contains("image/svg+xml", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AttachmentOptions.AllowedImageTypes), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuse_at_construction_a_limit_that_is_not_positive()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new AttachmentInspector(new AttachmentOptions { MaxFileBytes = 0 }));

        Assert.Contains(nameof(AttachmentOptions.MaxFileBytes), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_with_the_documented_defaults()
    {
        var options = new AttachmentOptions();

        Assert.Equal(10L * 1024 * 1024, options.MaxImageBytes);
        Assert.Equal(25L * 1024 * 1024, options.MaxFileBytes);
        Assert.Equal(40_000_000, options.MaxImagePixels);
        Assert.Equal(100L * 1024 * 1024, options.MaxArchiveExpandedBytes);
        Assert.Equal(1000, options.MaxArchiveEntries);
        Assert.Equal(100, options.MaxArchiveCompressionRatio);
        Assert.Equal(["image/gif", "image/jpeg", "image/png", "image/webp"], options.AllowedImageTypes.Order(StringComparer.Ordinal));
        Assert.Equal(6, options.AllowedFileTypes.Count);
        Assert.Contains("APPLICATION/PDF", options.AllowedFileTypes);
    }

    [Fact]
    public async Task Read_the_whole_stream_from_its_start_whatever_its_position()
    {
        var content = CorpusFiles.Read("diagram.png");
        using var input = new MemoryStream(content, writable: false) { Position = content.Length / 2 };
        using var output = new MemoryStream();

        var result = await new AttachmentInspector(new AttachmentOptions()).InspectAsync(input, output, CancellationToken.None);

        Assert.True(result.Accepted);
        Assert.Equal(content, output.ToArray());
    }

    [Fact]
    public async Task Refuse_an_empty_upload()
    {
        var result = await AssertRejectedAsync([], ChatErrorCode.AttachmentEmpty);

        Assert.Equal("application/octet-stream", result.ContentType);
    }
}
