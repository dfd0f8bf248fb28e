using System.Buffers.Binary;
using Marketplace.Chat.Attachments;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    private static readonly byte[] PngHeader = [0, 0, 0, 2, 0, 0, 0, 1, 8, 0, 0, 0, 0]; // 2×1 greyscale, 8 bits
    private static readonly byte[] PngPixels = Convert.FromHexString("78DA636060000000030001"); // zlib of one row: filter byte 0 and two black pixels

    [Fact]
    public async Task Refuse_a_jpeg_with_data_after_its_end_marker()
    {
        byte[] content = [.. CorpusFiles.Read("photo_bali_small.jpg"), .. "<script>alert(1)</script>"u8];

        var result = await AssertRejectedAsync(content, ChatErrorCode.ImageTrailingData);

        Assert.Equal((158, 107), (result.Width!.Value, result.Height!.Value));
    }

    [Fact]
    public async Task Refuse_a_jpeg_cut_inside_its_scan_data()
    {
        var content = CorpusFiles.Read("photo_bali_small.jpg");

        await AssertRejectedAsync(content[..(content.Length - 2)], ChatErrorCode.ImageMalformed);
        await AssertRejectedAsync(content[..(content.Length / 2)], ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_jpeg_cut_inside_a_header_segment()
    {
        var content = CorpusFiles.Read("photo_bali_small.jpg");

        await AssertRejectedAsync(content[..30], ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Cut_the_thumbnail_out_of_a_jfif_header()
    {
        var original = CorpusFiles.Read("photo_bali_small.jpg");
        var jfifLength = BinaryPrimitives.ReadUInt16BigEndian(original.AsSpan(4));
        Assert.Equal(16, jfifLength);
        byte[] thumbnail = [.. Enumerable.Repeat((byte)0x7F, 2 * 2 * 3)];
        byte[] jfif = [0xFF, 0xE0, 0, 16 + 12, .. original[6..18], 2, 2, .. thumbnail];
        byte[] content = [.. original[..2], .. jfif, .. original[(4 + jfifLength)..]];

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.True(result.MetadataStripped);
        Assert.Equal(original, stored);
    }

    [Fact]
    public async Task Refuse_a_png_whose_chunk_crc_does_not_match()
    {
        var content = CorpusFiles.Read("diagram.png");
        content[100] ^= 0x01; // inside the first IDAT

        await AssertRejectedAsync(content, ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_png_without_its_end_chunk()
    {
        var content = CorpusFiles.Read("diagram.png");

        await AssertRejectedAsync(content[..^12], ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_png_with_data_after_its_end_chunk()
    {
        byte[] content = [.. CorpusFiles.Read("diagram.png"), .. "PK\u0003\u0004"u8];

        await AssertRejectedAsync(content, ChatErrorCode.ImageTrailingData);
    }

    [Fact]
    public async Task Accept_a_generated_png_and_keep_it_unchanged()
    {
        var content = ImageBytes.Png(("IHDR", PngHeader), ("IDAT", PngPixels), ("IEND", []));

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.False(result.MetadataStripped);
        Assert.Equal(content, stored);
    }

    [Fact]
    public async Task Drop_png_time_and_text_chunks_but_keep_rendering_chunks()
    {
        byte[] time = [0x07, 0xE9, 1, 2, 3, 4, 5];
        byte[] gamma = [0, 0, 0xB1, 0x8F];
        byte[] density = [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1];
        var content = ImageBytes.Png(
            ("IHDR", PngHeader), ("gAMA", gamma), ("tIME", time), ("pHYs", density), ("iTXt", "Author\0\0\0\0\0Jane"u8.ToArray()),
            ("IDAT", PngPixels), ("zTXt", "Comment\0\0x"u8.ToArray()), ("IEND", []));

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.True(result.MetadataStripped);
        Assert.Equal(["IHDR", "gAMA", "pHYs", "IDAT", "IEND"], ImageBytes.PngChunks(stored).Select(chunk => chunk.Type));
        Assert.Equal(ImageBytes.Png(("IHDR", PngHeader), ("gAMA", gamma), ("pHYs", density), ("IDAT", PngPixels), ("IEND", [])), stored);
    }

    [Fact]
    public async Task Refuse_a_png_with_an_unknown_critical_chunk()
    {
        var content = ImageBytes.Png(("IHDR", PngHeader), ("QQQQ", [1]), ("IDAT", PngPixels), ("IEND", []));

        await AssertRejectedAsync(content, ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_png_whose_image_data_is_split_by_another_chunk()
    {
        var content = ImageBytes.Png(("IHDR", PngHeader), ("IDAT", PngPixels[..5]), ("tEXt", "a\0b"u8.ToArray()), ("IDAT", PngPixels[5..]), ("IEND", []));

        await AssertRejectedAsync(content, ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_gif_cut_before_its_trailer()
    {
        var content = CorpusFiles.Read("cat.gif");

        await AssertRejectedAsync(content[..^1], ChatErrorCode.ImageMalformed);
        await AssertRejectedAsync(content[..(content.Length / 2)], ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Drop_gif_comments_and_foreign_application_extensions_but_keep_looping()
    {
        var looping = ImageBytes.GifApplication("NETSCAPE2.0", [1, 0, 0]);
        var content = ImageBytes.TinyGif(ImageBytes.GifComment("taken at 12 rue X"), looping, ImageBytes.GifApplication("XMP DataXMP", "<x:xmpmeta/>"u8.ToArray()));

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.True(result.MetadataStripped);
        Assert.Equal(ImageBytes.TinyGif(looping), stored);
    }

    [Fact]
    public async Task Size_a_gif_by_the_canvas_its_frames_need()
    {
        var content = ImageBytes.TinyGif();
        BinaryPrimitives.WriteUInt16LittleEndian(content.AsSpan(13 + 6 + 5), 20_000); // frame width
        BinaryPrimitives.WriteUInt16LittleEndian(content.AsSpan(13 + 6 + 7), 20_000); // frame height

        var result = await AssertRejectedAsync(content, ChatErrorCode.ImageTooLarge, new AttachmentOptions { MaxImagePixels = 1_000_000 });

        Assert.Equal((20_000, 20_000), (result.Width!.Value, result.Height!.Value));
    }

    [Fact]
    public async Task Refuse_a_webp_whose_riff_size_runs_past_the_bytes()
    {
        var content = CorpusFiles.Read("icon.webp");

        await AssertRejectedAsync(content[..^10], ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_webp_with_data_after_its_riff_size()
    {
        byte[] content = [.. CorpusFiles.Read("icon.webp"), .. "/*js*/"u8];

        await AssertRejectedAsync(content, ChatErrorCode.ImageTrailingData);
    }

    [Fact]
    public async Task Drop_webp_xmp_and_unknown_chunks_and_fix_the_header()
    {
        var chunks = ImageBytes.WebPChunks(CorpusFiles.Read("icon.webp"));
        var extended = (byte[])chunks[0].Data.Clone();
        extended[0] |= 0x04; // XMP present
        var content = ImageBytes.WebP(("VP8X", extended), chunks[1], chunks[2], ("XMP ", "<x:xmpmeta>Jane</x:xmpmeta>"u8.ToArray()), ("ZZZZ", [1, 2, 3]));

        var (result, stored) = await InspectAsync(content);

        Assert.True(result.Accepted);
        Assert.True(result.MetadataStripped);
        Assert.Equal(CorpusFiles.Read("icon.webp"), stored);
    }

    [Fact]
    public async Task Refuse_a_webp_whose_canvas_exceeds_the_pixel_cap()
    {
        var chunks = ImageBytes.WebPChunks(CorpusFiles.Read("icon.webp"));
        var extended = (byte[])chunks[0].Data.Clone();
        extended[4] = 0xFF; // canvas width - 1 = 0xFFFFFF
        extended[5] = 0xFF;
        extended[6] = 0xFF;
        var content = ImageBytes.WebP(("VP8X", extended), chunks[1], chunks[2]);

        var result = await AssertRejectedAsync(content, ChatErrorCode.ImageTooLarge);

        Assert.Equal((1 << 24, 512), (result.Width!.Value, result.Height!.Value));
    }

    [Fact]
    public async Task Refuse_a_webp_without_image_data()
    {
        var chunks = ImageBytes.WebPChunks(CorpusFiles.Read("icon.webp"));

        await AssertRejectedAsync(ImageBytes.WebP(chunks[0], chunks[1]), ChatErrorCode.ImageMalformed);
    }
}
