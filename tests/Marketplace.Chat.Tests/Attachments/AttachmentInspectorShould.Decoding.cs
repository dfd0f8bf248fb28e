using Marketplace.Chat.Attachments;
using Marketplace.Chat.Attachments.Inspection;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Icc;
using MetadataExtractor.Formats.Xmp;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    private const int PhotoWidth = PhonePhotos.Width;
    private const int PhotoHeight = PhonePhotos.Height;
    private const int Marker = PhonePhotos.Marker;

    [Theory]
    [InlineData(1, "top-left")]
    [InlineData(2, "top-right")]
    [InlineData(3, "bottom-right")]
    [InlineData(4, "bottom-left")]
    [InlineData(5, "top-left")]
    [InlineData(6, "top-right")]
    [InlineData(7, "bottom-right")]
    [InlineData(8, "bottom-left")]
    public async Task Keep_a_phone_photos_orientation_report_it_as_displayed_and_draw_its_preview_upright(int orientation, string markerCorner)
    {
        var photo = PhonePhotos.Make(orientation);

        var (result, stored) = await InspectAsync(photo);

        Assert.True(result.Accepted, $"{result.RejectionCode}: {result.RejectionReason}");
        Assert.True(result.MetadataStripped);
        var (width, height) = orientation >= 5 ? (PhotoHeight, PhotoWidth) : (PhotoWidth, PhotoHeight);
        Assert.Equal((width, height), (result.Width!.Value, result.Height!.Value));

        // The stored copy: same scan data, EXIF reduced to the one Orientation tag (none when it was 1), no GPS, no camera.
        Assert.Equal(ImageBytes.JpegScanData(photo), ImageBytes.JpegScanData(stored));
        var directories = ImageMetadataReader.ReadMetadata(new MemoryStream(stored));
        Assert.Empty(directories.OfType<GpsDirectory>());
        Assert.Empty(directories.OfType<ExifSubIfdDirectory>());
        var ifd0 = directories.OfType<ExifIfd0Directory>().SingleOrDefault();
        if (orientation == 1)
        {
            Assert.Null(ifd0);
        }
        else
        {
            Assert.NotNull(ifd0);
            var tag = Assert.Single(ifd0.Tags);
            Assert.Equal(ExifDirectoryBase.TagOrientation, tag.Type);
            Assert.Equal(orientation, ifd0.GetInt32(ExifDirectoryBase.TagOrientation));
        }

        // The preview: upright, the marker where a viewer that honours the orientation shows it.
        var preview = result.Preview!;
        Assert.Equal((width, height), (preview.PreviewWidth, preview.PreviewHeight));
        using var drawn = Image.Load<Rgba32>(preview.Preview!);
        Assert.Equal((width, height), (drawn.Width, drawn.Height));
        Assert.Equal(markerCorner, RedCorner(drawn));
    }

    [Fact]
    public async Task Refuse_a_png_whose_chunks_are_intact_but_whose_pixel_data_does_not_inflate()
    {
        var chunks = ImageBytes.PngChunks(CorpusFiles.Read("diagram.png"));
        var random = new Random(13);
        var damaged = chunks.Select(chunk =>
        {
            if (chunk.Type != "IDAT")
            {
                return chunk;
            }

            var data = new byte[chunk.Data.Length];
            random.NextBytes(data);
            data[0] = 0x78;
            data[1] = 0x9C;
            return (chunk.Type, data);
        }).ToArray();

        // Valid CRCs: the container walk passes, only a decode can tell.
        var content = ImageBytes.Png(damaged);
        Assert.Null(PngContainer.Read(content).Problem);

        await AssertRejectedAsync(content, ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_jpeg_whose_markers_are_intact_but_whose_entropy_data_is_garbage()
    {
        var original = CorpusFiles.Read("photo_bali_small.jpg");
        // From after the SOS header to before EOI (baseline, one scan, no restart markers).
        var sos = original.Length - ImageBytes.JpegScanData(original).Length;
        var start = sos + 2 + ((original[sos + 2] << 8) | original[sos + 3]);
        var content = original.ToArray();
        var random = new Random(14);
        for (var i = start; i < content.Length - 2; i++)
        {
            content[i] = (byte)random.Next(0, 0xFF); // never 0xFF: the scan stays one scan, only its bits are noise
        }

        Assert.Null(JpegContainer.Read(content).Problem);

        await AssertRejectedAsync(content, ChatErrorCode.ImageMalformed);
    }

    [Fact]
    public async Task Refuse_a_progressive_jpeg_with_garbage_in_any_of_its_huffman_coded_first_scans()
    {
        // photo_wine.jpg is progressive (SOF2). Its first scans (DC and AC bands) are Huffman-coded symbols, so noise in
        // them breaks a code, a band or the block count. Refinement scans are mostly raw correction bits: noise there is
        // indistinguishable from data, and no assertion is made about them.
        var original = CorpusFiles.Read("photo_wine.jpg");
        var scans = Scans(original);
        Assert.Equal(0xC2, ImageBytes.JpegMarkersBeforeScan(original).Single(m => m is >= 0xC0 and <= 0xC3));
        var firstScans = scans.Where(scan => scan.High == 0 && scan.End - scan.Start > 64).ToList();
        Assert.True(firstScans.Count >= 4, $"expected several first scans, found {firstScans.Count}");

        foreach (var scan in firstScans)
        {
            var content = original.ToArray();
            var random = new Random(scan.Start);
            var from = scan.Start + ((scan.End - scan.Start) / 3);
            for (var i = from; i < Math.Min(scan.End - 2, from + 256); i++)
            {
                if (content[i] != 0xFF && content[i - 1] != 0xFF)
                {
                    content[i] = (byte)random.Next(0, 0xFF);
                }
            }

            Assert.Null(JpegContainer.Read(content).Problem);
            var (result, _) = await InspectAsync(content);
            Assert.True(
                result.RejectionCode == ChatErrorCode.ImageMalformed,
                $"noise in the scan Ss={scan.SpectralStart} Se={scan.SpectralEnd} at {from} was {(result.Accepted ? "accepted" : result.RejectionCode.ToString())}");
        }
    }

    /// <summary>Lists the scans of a JPEG: where their entropy-coded data starts and ends, their band and approximation.</summary>
    private static List<(int Start, int End, int SpectralStart, int SpectralEnd, int High)> Scans(byte[] jpeg)
    {
        var scans = new List<(int, int, int, int, int)>();
        var position = 2;
        while (position + 4 <= jpeg.Length && jpeg[position + 1] != 0xD9)
        {
            var length = (jpeg[position + 2] << 8) | jpeg[position + 3];
            if (jpeg[position + 1] != 0xDA)
            {
                position += 2 + length;
                continue;
            }

            var count = jpeg[position + 4];
            var at = position + 5 + (2 * count);
            var start = position + 2 + length;
            var end = start;
            while (!(jpeg[end] == 0xFF && jpeg[end + 1] is not 0x00 and not (>= 0xD0 and <= 0xD7)))
            {
                end++;
            }

            scans.Add((start, end, jpeg[at], jpeg[at + 1], jpeg[at + 2] >> 4));
            position = end;
        }

        return scans;
    }

    [Theory]
    [InlineData("photo_wine.jpg")]
    [InlineData("photo_bali_small.jpg")]
    [InlineData("diagram.png")]
    [InlineData("icon.webp")]
    [InlineData("cat.gif")]
    [InlineData("photo_gps.jpg")]
    [InlineData("xmp_comment.jpg")]
    [InlineData("png_exif_gps.png")]
    [InlineData("webp_exif.webp")]
    public async Task Draw_a_small_preview_without_metadata_for_every_accepted_image(string file)
    {
        var (result, _) = await InspectAsync(CorpusFiles.Read(file));

        Assert.True(result.Accepted, $"{result.RejectionCode}: {result.RejectionReason}");
        var preview = result.Preview!;
        Assert.True(Math.Max(preview.PreviewWidth, preview.PreviewHeight) <= 640);
        using var drawn = Image.Load<Rgba32>(preview.Preview!, out var format);
        Assert.Equal(preview.PreviewContentType, format.DefaultMimeType);
        Assert.Equal((preview.PreviewWidth, preview.PreviewHeight), (drawn.Width, drawn.Height));

        // As large as the bound allows, with the original's proportions.
        var (width, height) = (result.Width!.Value, result.Height!.Value);
        Assert.Equal(Math.Min(640, Math.Max(width, height)), Math.Max(drawn.Width, drawn.Height));
        Assert.InRange(drawn.Width / (double)drawn.Height, (width / (double)height) * 0.97, (width / (double)height) * 1.03);

        var directories = ImageMetadataReader.ReadMetadata(new MemoryStream(preview.Preview!));
        Assert.Empty(directories.OfType<ExifDirectoryBase>());
        Assert.Empty(directories.OfType<GpsDirectory>());
        Assert.Empty(directories.OfType<XmpDirectory>());
        Assert.Empty(directories.OfType<IccDirectory>());
    }

    [Fact]
    public async Task Draw_the_preview_of_an_animated_gif_from_its_first_frame()
    {
        var gif = AnimatedGif(frames: 3, size: 32);

        var (result, _) = await InspectAsync(gif);

        Assert.True(result.Accepted, $"{result.RejectionCode}: {result.RejectionReason}");
        using var drawn = Image.Load<Rgba32>(result.Preview!.Preview!);
        var pixel = drawn[16, 16];
        Assert.True(pixel.R > 200 && pixel.G < 60 && pixel.B < 60, $"expected the red first frame, got {pixel}");
    }

    [Fact]
    public async Task Refuse_an_animated_gif_with_more_frames_than_allowed()
    {
        var options = new AttachmentOptions { MaxImageFrames = 5 };

        await AssertAcceptedAsync(AnimatedGif(frames: 5, size: 16), options);
        await AssertRejectedAsync(AnimatedGif(frames: 6, size: 16), ChatErrorCode.ImageTooManyFrames, options);
    }

    [Fact]
    public async Task Refuse_an_animated_gif_whose_frames_together_exceed_the_pixel_cap()
    {
        // Each 100 × 100 frame is under the cap of 40,000 pixels; five of them are not.
        var options = new AttachmentOptions { MaxImagePixels = 40_000 };

        await AssertAcceptedAsync(AnimatedGif(frames: 4, size: 100), options);
        await AssertRejectedAsync(AnimatedGif(frames: 5, size: 100), ChatErrorCode.ImageTooManyFrames, options);
    }

    [Fact]
    public async Task Refuse_a_decode_that_needs_a_larger_buffer_than_the_allocator_allows()
    {
        // The allocation limit is one RGBA frame of MaxImagePixels (1 MP: 4 MiB, plus 1 MiB of slack). Handed a 2.5 MP
        // image directly, past the header check, the decoder cannot get its frame buffer.
        var options = new AttachmentOptions { MaxImagePixels = 1_000_000 };
        using var verifier = new ImageVerifier(options);
        Assert.Equal(5, verifier.AllocationLimitMegabytes);
        using var large = new Image<Rgba32>(2500, 1000, new Rgba32(10, 20, 30));
        using var encoded = new MemoryStream();
        large.Save(encoded, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
        var png = encoded.ToArray();
        var layout = PngContainer.Read(png);

        var verdict = await verifier.VerifyAsync(png, ContentFormat.Png, layout, CancellationToken.None);

        Assert.Equal(ChatErrorCode.ImageTooLarge, verdict.Problem);
        using var roomy = new ImageVerifier(new AttachmentOptions());
        Assert.Null((await roomy.VerifyAsync(png, ContentFormat.Png, layout, CancellationToken.None)).Problem);
    }

    [Fact]
    public async Task Refuse_an_image_whose_decode_takes_longer_than_allowed()
    {
        // One tick (100 ns): no decode of a photo finishes inside it, so the refusal does not depend on how fast the machine is.
        var options = new AttachmentOptions { ImageDecodeTimeout = TimeSpan.FromTicks(1) };

        var result = await AssertRejectedAsync(CorpusFiles.Read("photo_wine.jpg"), ChatErrorCode.ImageTooLarge, options);

        Assert.Contains("seconds", result.RejectionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuse_an_animated_webp_that_the_decoder_cannot_check_with_a_type_refusal()
    {
        var chunks = ImageBytes.WebPChunks(CorpusFiles.Read("icon.webp"));
        var extended = chunks[0].Data.ToArray();
        extended[0] |= 0x02; // animation flag
        byte[] header = [0, 0, 0, 0, 0, 0, .. ThreeBytes(511), .. ThreeBytes(511), .. ThreeBytes(100), 0];
        byte[] frame = [.. header, .. Chunk(chunks[1]), .. Chunk(chunks[2])];
        var content = ImageBytes.WebP(("VP8X", extended), ("ANIM", new byte[6]), ("ANMF", frame));
        Assert.Null(WebPContainer.Read(content).Problem);

        var result = await AssertRejectedAsync(content, ChatErrorCode.AttachmentTypeNotAllowed);

        Assert.Equal("image/webp", result.ContentType);
    }

    private static byte[] ThreeBytes(int value) => [(byte)value, (byte)(value >> 8), (byte)(value >> 16)];

    private static byte[] Chunk((string FourCc, byte[] Data) chunk)
    {
        byte[] bytes = [.. System.Text.Encoding.ASCII.GetBytes(chunk.FourCc), .. BitConverter.GetBytes((uint)chunk.Data.Length), .. chunk.Data];
        return chunk.Data.Length % 2 == 1 ? [.. bytes, 0] : bytes;
    }

    private static string RedCorner(Image<Rgba32> image)
    {
        static bool Red(Rgba32 p) => p.R > 200 && p.G < 80 && p.B < 80;
        var inset = Marker / 2;
        var (right, bottom) = (image.Width - 1 - inset, image.Height - 1 - inset);
        var corners = new (string Name, int X, int Y)[] { ("top-left", inset, inset), ("top-right", right, inset), ("bottom-right", right, bottom), ("bottom-left", inset, bottom) };
        return string.Join(",", corners.Where(c => Red(image[c.X, c.Y])).Select(c => c.Name));
    }

    private static byte[] AnimatedGif(int frames, int size)
    {
        using var image = new Image<Rgba32>(size, size, new Rgba32(255, 0, 0));
        for (var i = 1; i < frames; i++)
        {
            using var next = new Image<Rgba32>(size, size, new Rgba32(0, (byte)(40 * i), 255));
            image.Frames.AddFrame(next.Frames.RootFrame);
        }

        using var output = new MemoryStream();
        image.Save(output, new GifEncoder());
        return output.ToArray();
    }
}
