namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Looks, chunk by chunk, through the raw bytes of a PDF for the names that introduce scripts, launch actions,
/// embedded files or rich media, decoding <c>#xx</c> escapes so that <c>/J#61vaScript</c> is found too.
/// </summary>
/// <remarks>
/// Deliberately conservative: such a PDF is refused even when the feature might be harmless. Names inside
/// compressed object streams are not seen; downloads are served as attachments with a sandboxing CSP, which
/// keeps a missed script out of the site's origin.
/// </remarks>
internal sealed class PdfActiveContentScanner
{
    private const int MaxNameLength = 32;

    private static readonly byte[][] ActiveNames =
    [
        "JavaScript"u8.ToArray(),
        "JS"u8.ToArray(),
        "Launch"u8.ToArray(),
        "EmbeddedFile"u8.ToArray(),
        "EmbeddedFiles"u8.ToArray(),
        "RichMedia"u8.ToArray(),
    ];

    private readonly byte[] _name = new byte[MaxNameLength];
    private bool _inName;
    private int _nameLength;
    private int _escapeDigits = -1;
    private int _escapeValue;
    private byte _escapeFirst;

    /// <summary>Gets whether an active-content name was found.</summary>
    public bool Found { get; private set; }

    /// <summary>Feeds the next chunk of the PDF.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        while (position < bytes.Length && !Found)
        {
            if (!_inName)
            {
                var slash = bytes[position..].IndexOf((byte)'/');
                if (slash < 0)
                {
                    return;
                }

                position += slash + 1;
                StartName();
                continue;
            }

            var b = bytes[position++];
            if (IsDelimiter(b))
            {
                EndName();
                if (b == '/')
                {
                    StartName();
                }
            }
            else
            {
                AddToName(b);
            }
        }
    }

    /// <summary>Ends a name that runs to the end of the file.</summary>
    public void Complete()
    {
        if (_inName)
        {
            EndName();
        }
    }

    private static bool IsDelimiter(byte b) =>
        b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f' or 0
            or (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}'
            or (byte)'/' or (byte)'%';

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private void StartName()
    {
        _inName = true;
        _nameLength = 0;
        _escapeDigits = -1;
    }

    private void AddToName(byte b)
    {
        if (_escapeDigits >= 0)
        {
            var value = HexValue(b);
            if (value < 0)
            {
                // Not an escape after all: keep the characters as written.
                Append((byte)'#');
                if (_escapeDigits == 1)
                {
                    Append(_escapeFirst);
                }

                _escapeDigits = -1;
                Append(b);
                return;
            }

            _escapeFirst = b;
            _escapeValue = (_escapeValue << 4) | value;
            if (++_escapeDigits == 2)
            {
                _escapeDigits = -1;
                Append((byte)_escapeValue);
            }

            return;
        }

        if (b == '#')
        {
            _escapeDigits = 0;
            _escapeValue = 0;
            return;
        }

        Append(b);
    }

    private void Append(byte b)
    {
        // Longer names than any we look for only need to be known as "too long".
        if (_nameLength < MaxNameLength)
        {
            _name[_nameLength] = b;
        }

        _nameLength++;
    }

    private void EndName()
    {
        _inName = false;
        if (_nameLength > MaxNameLength)
        {
            return;
        }

        var candidate = _name.AsSpan(0, _nameLength);
        foreach (var active in ActiveNames)
        {
            if (candidate.SequenceEqual(active))
            {
                Found = true;
                return;
            }
        }
    }
}
