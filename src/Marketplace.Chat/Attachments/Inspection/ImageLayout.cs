namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Describes what a container walk found in an image: its dimensions, the first structural problem, and the
/// pieces of the original bytes (plus any rewritten headers) that make up the copy to store.
/// </summary>
internal sealed class ImageLayout
{
    private readonly List<ReadOnlyMemory<byte>> _parts = [];

    /// <summary>Gets or sets the width declared by the headers (0 until known).</summary>
    public long Width { get; set; }

    /// <summary>Gets or sets the height declared by the headers (0 until known).</summary>
    public long Height { get; set; }

    /// <summary>Gets or sets the number of frames (image descriptors of a GIF, ANMF chunks of a WebP; 1 for a still image).</summary>
    public int Frames { get; set; } = 1;

    /// <summary>Gets or sets whether the image is an animation made of frame chunks (WebP ANMF).</summary>
    public bool AnimatedFrames { get; set; }

    /// <summary>Gets or sets the EXIF orientation (1 to 8) the stored copy keeps; 1 when there is none.</summary>
    public int Orientation { get; set; } = 1;

    /// <summary>Gets the first structural problem, or <see langword="null"/> when the walk completed.</summary>
    public ChatErrorCode? Problem { get; private set; }

    /// <summary>Gets whether any metadata was left out of <see cref="Parts"/>.</summary>
    public bool MetadataStripped { get; private set; }

    /// <summary>Gets the pieces to write, in order, to produce the stored copy.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Parts => _parts;

    /// <summary>Appends a piece that goes to the stored copy unchanged.</summary>
    public void Keep(ReadOnlyMemory<byte> part)
    {
        if (!part.IsEmpty)
        {
            _parts.Add(part);
        }
    }

    /// <summary>Records that a piece of metadata was left out of the stored copy.</summary>
    public void Drop() => MetadataStripped = true;

    /// <summary>Records that the structure is truncated or malformed.</summary>
    public ImageLayout Malformed()
    {
        Problem ??= ChatErrorCode.ImageMalformed;
        return this;
    }

    /// <summary>Records that bytes follow the image's end marker.</summary>
    public ImageLayout TrailingData()
    {
        Problem ??= ChatErrorCode.ImageTrailingData;
        return this;
    }

    /// <summary>Replaces all pieces with a single rewritten buffer.</summary>
    public void ReplaceParts(ReadOnlyMemory<byte> whole)
    {
        _parts.Clear();
        _parts.Add(whole);
    }
}
