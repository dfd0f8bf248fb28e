using System.Buffers;
using System.Text;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Decides, chunk by chunk, whether bytes are plain text: strict UTF-8 (a BOM is allowed) with no control
/// characters other than tab, line feed, form feed and carriage return.
/// </summary>
internal sealed class TextContentValidator
{
    // C0 controls except TAB (09), LF (0A), FF (0C) and CR (0D), plus DEL. In UTF-8 these bytes only ever stand for themselves.
    private static readonly SearchValues<byte> BinaryBytes = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F]);

    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
    private char[] _chars = [];

    /// <summary>Gets whether a control character showed the bytes to be binary rather than text.</summary>
    public bool IsBinary { get; private set; }

    /// <summary>Gets whether every byte so far decoded as strict UTF-8.</summary>
    public bool IsUtf8 { get; private set; } = true;

    /// <summary>Checks whether the bytes contain a control byte that text never has.</summary>
    public static bool ContainsBinaryBytes(ReadOnlySpan<byte> bytes) => bytes.ContainsAny(BinaryBytes);

    /// <summary>Feeds the next chunk; <paramref name="final"/> flushes an incomplete sequence as an error.</summary>
    public void Append(ReadOnlySpan<byte> bytes, bool final)
    {
        if (IsBinary)
        {
            return;
        }

        if (ContainsBinaryBytes(bytes))
        {
            IsBinary = true;
            return;
        }

        if (!IsUtf8)
        {
            return;
        }

        // A chunk decodes to at most one char per byte, plus what the _decoder held back from the previous chunk.
        if (_chars.Length < bytes.Length + 4)
        {
            _chars = new char[bytes.Length + 4];
        }

        try
        {
            var count = _decoder.GetChars(bytes, _chars, final);
            if (_chars.AsSpan(0, count).ContainsAnyInRange('\u0080', '\u009F'))
            {
                // C1 control characters do not occur in text people write.
                IsBinary = true;
            }
        }
        catch (DecoderFallbackException)
        {
            IsUtf8 = false;
        }
    }
}
