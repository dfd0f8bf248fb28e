using System.Diagnostics;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Decodes the copy of an image that is about to be stored, with SixLabors.ImageSharp 2.1, under explicit bounds,
/// and draws its preview: oriented as displayed, at most <see cref="AttachmentOptions.PreviewMaxSide"/> pixels on the
/// long side, re-encoded without metadata. An image that does not decode is refused.
/// </summary>
/// <remarks>
/// Bounds: the caller has already checked the pixel cap and the frame count from the headers, so no frame is larger
/// than <see cref="AttachmentOptions.MaxImagePixels"/>; the allocator refuses any single buffer larger than one such
/// frame in RGBA, at most <see cref="AttachmentOptions.MaxConcurrentImageDecodes"/> decodes run at once, and each one
/// is cancelled after <see cref="AttachmentOptions.ImageDecodeTimeout"/>. Metadata is never read (the orientation
/// comes from the container walk), so nothing an uploader wrote there reaches the preview.
/// </remarks>
internal sealed class ImageVerifier : IDisposable
{
    private const long MiB = 1024 * 1024;
    private const int JpegPreviewQuality = 82;
    private const long BytesPerPixel = 4;

    private readonly AttachmentOptions _options;
    private readonly Configuration _configuration;
    private readonly SemaphoreSlim _gate;

    /// <summary>Initializes a new instance with the bounds of <paramref name="options"/>.</summary>
    public ImageVerifier(AttachmentOptions options)
    {
        _options = options;
        AllocationLimitMegabytes = LimitFor(options.MaxImagePixels);
        _configuration = Configuration.Default.Clone();
        _configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = AllocationLimitMegabytes,
            MaximumPoolSizeMegabytes = 64,
        });
        _gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentImageDecodes));
    }

    /// <summary>Gets the largest single buffer, in MiB, a decode may allocate.</summary>
    public int AllocationLimitMegabytes { get; }

    /// <summary>Decodes <paramref name="stored"/> (all frames) and draws the preview of its first frame.</summary>
    /// <param name="stored">The bytes that will be stored (metadata already removed).</param>
    /// <param name="format">The container format the bytes were recognised as.</param>
    /// <param name="layout">What the container walk found: size, frames, orientation.</param>
    /// <param name="cancellationToken">Stops the work (the request ended).</param>
    public async Task<ImageVerdict> VerifyAsync(byte[] stored, ContentFormat format, ImageLayout layout, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            timeout.CancelAfter(_options.ImageDecodeTimeout);
            try
            {
                var verdict = await Task.Run(() => Decode(stored, format, layout, timeout.Token), timeout.Token).ConfigureAwait(false);
                // The decoder does not look at its token everywhere, and the timer behind it fires late on a busy machine:
                // a decode that took longer than allowed is refused by the clock, whatever the decoder noticed.
                var late = Stopwatch.GetElapsedTime(started) >= _options.ImageDecodeTimeout || timeout.IsCancellationRequested;
                return late && !cancellationToken.IsCancellationRequested ? TooSlow() : verdict;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return TooSlow();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private ImageVerdict TooSlow() => ImageVerdict.Refuse(
        ChatErrorCode.ImageTooLarge,
        string.Create(CultureInfo.InvariantCulture, $"The image could not be decoded within {_options.ImageDecodeTimeout.TotalSeconds:0.#} seconds."));

    /// <summary>One frame of <paramref name="maxPixels"/> pixels in RGBA, rounded up to whole MiB, plus one MiB of slack.</summary>
    private static int LimitFor(long maxPixels) => (int)Math.Min(int.MaxValue, (((maxPixels * BytesPerPixel) + MiB - 1) / MiB) + 1);

    /// <summary>Gets the size an image of <paramref name="width"/> × <paramref name="height"/> stored pixels shows at under <paramref name="orientation"/>.</summary>
    public static (long Width, long Height) Displayed(long width, long height, int orientation) =>
        orientation >= 5 ? (height, width) : (width, height);

    private static void Orient(IImageProcessingContext context, int orientation)
    {
        // EXIF orientation: how the stored rows must be turned to be upright (rotation first, then the flip).
        switch (orientation)
        {
            case 2: context.RotateFlip(RotateMode.None, FlipMode.Horizontal); break;
            case 3: context.RotateFlip(RotateMode.Rotate180, FlipMode.None); break;
            case 4: context.RotateFlip(RotateMode.None, FlipMode.Vertical); break;
            case 5: context.RotateFlip(RotateMode.Rotate90, FlipMode.Horizontal); break;
            case 6: context.RotateFlip(RotateMode.Rotate90, FlipMode.None); break;
            case 7: context.RotateFlip(RotateMode.Rotate90, FlipMode.Vertical); break;
            case 8: context.RotateFlip(RotateMode.Rotate270, FlipMode.None); break;
        }
    }

    private static bool IsOpaque(Image<Rgba32> image)
    {
        var opaque = true;
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height && opaque; y++)
            {
                foreach (var pixel in accessor.GetRowSpan(y))
                {
                    if (pixel.A != byte.MaxValue)
                    {
                        opaque = false;
                        break;
                    }
                }
            }
        });
        return opaque;
    }

    private static void ClearMetadata(ImageMetadata metadata)
    {
        metadata.ExifProfile = null;
        metadata.XmpProfile = null;
        metadata.IccProfile = null;
        metadata.IptcProfile = null;
    }

    private IImageDecoder DecoderFor(ContentFormat format) => format switch
    {
        ContentFormat.Jpeg => new JpegDecoder { IgnoreMetadata = true },
        ContentFormat.Png => new PngDecoder { IgnoreMetadata = true },
        ContentFormat.Gif => new GifDecoder
        {
            IgnoreMetadata = true,
            DecodingMode = FrameDecodingMode.All,
            MaxFrames = (uint)Math.Max(1, _options.MaxImageFrames),
        },
        _ => new WebpDecoder { IgnoreMetadata = true },
    };

    private ImageVerdict Decode(byte[] stored, ContentFormat format, ImageLayout layout, CancellationToken cancellationToken)
    {
        Image<Rgba32> image;
        try
        {
            using var input = new MemoryStream(stored, writable: false);
            image = DecoderFor(format).Decode<Rgba32>(_configuration, input, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever a decoder throws on hostile bytes, the answer is the same: it does not decode.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // The allocation limit surfaces as InvalidMemoryOperationException, sometimes wrapped by the decoder.
            for (var cause = ex; cause is not null; cause = cause.InnerException)
            {
                if (cause is InvalidMemoryOperationException)
                {
                    return ImageVerdict.Refuse(ChatErrorCode.ImageTooLarge, "The image needs more memory to decode than is allowed.");
                }
            }

            return ImageVerdict.Refuse(ChatErrorCode.ImageMalformed, "The image is damaged and cannot be displayed.");
        }

        using (image)
        {
            // GIF decoders draw on the logical screen, which the container walk may have grown to fit every frame.
            if (format != ContentFormat.Gif && (image.Width != layout.Width || image.Height != layout.Height))
            {
                return ImageVerdict.Refuse(ChatErrorCode.ImageMalformed, "The image is damaged and cannot be displayed.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            using var preview = image.Frames.Count > 1 ? image.Frames.CloneFrame(0) : image.Clone();
            ClearMetadata(preview.Metadata);
            var max = _options.PreviewMaxSide;
            preview.Mutate(context =>
            {
                Orient(context, layout.Orientation);
                var size = context.GetCurrentSize();
                if (size.Width > max || size.Height > max)
                {
                    context.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(max, max), Sampler = KnownResamplers.Bicubic });
                }
            });

            cancellationToken.ThrowIfCancellationRequested();
            using var output = new MemoryStream();
            string contentType;
            if (format != ContentFormat.Png && format != ContentFormat.Gif && IsOpaque(preview))
            {
                preview.Save(output, new JpegEncoder { Quality = JpegPreviewQuality });
                contentType = "image/jpeg";
            }
            else
            {
                preview.Save(output, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8 });
                contentType = "image/png";
            }

            return new ImageVerdict(null, null, output.ToArray(), contentType, preview.Width, preview.Height);
        }
    }
}

/// <summary>The outcome of decoding an image: a refusal, or the preview that was drawn.</summary>
/// <param name="Problem">The refusal code, or <see langword="null"/> when the image decoded.</param>
/// <param name="Reason">The refusal in words safe to show a user.</param>
/// <param name="Preview">The encoded preview.</param>
/// <param name="PreviewContentType">The preview's type (<c>image/jpeg</c> or <c>image/png</c>).</param>
/// <param name="PreviewWidth">The preview's width in pixels, as displayed.</param>
/// <param name="PreviewHeight">The preview's height in pixels, as displayed.</param>
internal sealed record ImageVerdict(
    ChatErrorCode? Problem, string? Reason, byte[]? Preview, string PreviewContentType, int PreviewWidth, int PreviewHeight)
{
    /// <summary>Creates a refusal.</summary>
    public static ImageVerdict Refuse(ChatErrorCode code, string reason) => new(code, reason, null, "", 0, 0);
}
