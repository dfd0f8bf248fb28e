using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the Huffman-coded data of a JPEG (baseline or progressive, every scan) symbol by symbol, without computing
/// a pixel: every code must exist in its table, no block may hold coefficients past its band, and each scan must
/// hold exactly the blocks the frame needs, ending at the next marker. ImageSharp 2.1 decodes noise in place of
/// broken entropy data without complaint; this is the check that tells a damaged photo from a real one.
/// </summary>
/// <remarks>
/// Lossless and arithmetic-coded JPEGs are not walked (ImageSharp's decode is their only check). Linear in the file
/// size; a progressive image keeps one 64-bit mask per block to follow its refinement scans (8 bytes per 64 pixels
/// and component).
/// </remarks>
internal static class JpegEntropyCheck
{
    private const int MaxPaddingBytes = 16;

    /// <summary>Returns false when the entropy-coded data does not decode; true otherwise (and for codings it does not walk).</summary>
    public static bool Decodes(ReadOnlySpan<byte> jpeg)
    {
        var tables = new HuffmanTable?[8];
        Frame? frame = null;
        var restartInterval = 0;
        var position = 2;
        while (position + 4 <= jpeg.Length)
        {
            if (jpeg[position] != 0xFF)
            {
                return true;
            }

            var marker = jpeg[position + 1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }

            if (marker == 0xD9)
            {
                return true;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(position + 2)..]);
            if (position + 2 + length > jpeg.Length || length < 2)
            {
                return true;
            }

            var payload = jpeg.Slice(position + 4, length - 2);
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    frame = Frame.Read(payload, progressive: marker == 0xC2);
                    if (frame is null)
                    {
                        return false;
                    }

                    break;
                case >= 0xC3 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    return true; // lossless or arithmetic: not walked here
                case 0xC4:
                    if (!ReadTables(payload, tables))
                    {
                        return false;
                    }

                    break;
                case 0xDD when payload.Length >= 2:
                    restartInterval = BinaryPrimitives.ReadUInt16BigEndian(payload);
                    break;
                case 0xDA:
                    if (frame is null)
                    {
                        return false;
                    }

                    var end = WalkScan(jpeg, position + 2 + length, payload, tables, frame, restartInterval);
                    if (end < 0)
                    {
                        return false;
                    }

                    position = end;
                    continue;
            }

            position += 2 + length;
        }

        return true;
    }

    private static bool ReadTables(ReadOnlySpan<byte> payload, HuffmanTable?[] tables)
    {
        var at = 0;
        while (at < payload.Length)
        {
            if (at + 17 > payload.Length)
            {
                return false;
            }

            var slot = ((payload[at] >> 4) * 4) + (payload[at] & 0x0F);
            var counts = payload.Slice(at + 1, 16);
            var total = 0;
            foreach (var count in counts)
            {
                total += count;
            }

            if (slot >= tables.Length || at + 17 + total > payload.Length)
            {
                return false;
            }

            tables[slot] = HuffmanTable.Create(counts, payload.Slice(at + 17, total));
            at += 17 + total;
        }

        return true;
    }

    /// <summary>Walks one scan; returns the position of the marker after it, or -1 when its data does not decode.</summary>
    private static int WalkScan(ReadOnlySpan<byte> jpeg, int dataStart, ReadOnlySpan<byte> header, HuffmanTable?[] tables, Frame frame, int restartInterval)
    {
        var count = header[0];
        if (count == 0 || header.Length < 1 + (2 * count) + 3)
        {
            return -1;
        }

        var spectralStart = header[1 + (2 * count)];
        var spectralEnd = header[2 + (2 * count)];
        var high = header[3 + (2 * count)] >> 4;
        if (spectralStart > spectralEnd || spectralEnd > 63 || (spectralStart > 0 && count != 1) || (!frame.Progressive && (spectralStart != 0 || spectralEnd != 63)))
        {
            return -1;
        }

        // Per block of an MCU: its component and tables.
        var blocks = new List<(Component Component, int X, int Y)>();
        var scanComponents = new List<(Component Component, HuffmanTable? Dc, HuffmanTable? Ac)>();
        for (var i = 0; i < count; i++)
        {
            var id = header[1 + (2 * i)];
            var component = frame.Components.Find(c => c.Id == id);
            var selectors = header[2 + (2 * i)];
            if (component is null)
            {
                return -1;
            }

            var dc = tables[selectors >> 4];
            var ac = tables[4 + (selectors & 0x0F)];
            var needsDc = spectralStart == 0 && high == 0;
            var needsAc = spectralEnd > 0 && !(spectralStart == 0 && frame.Progressive);
            if ((needsDc && dc is null) || ((needsAc || (frame.Progressive && spectralStart > 0)) && ac is null))
            {
                return -1;
            }

            scanComponents.Add((component, dc, ac));
        }

        long mcusAcross, mcusDown;
        if (count == 1)
        {
            var only = scanComponents[0].Component;
            (mcusAcross, mcusDown) = (only.BlocksAcross, only.BlocksDown);
        }
        else
        {
            (mcusAcross, mcusDown) = (frame.McusAcross, frame.McusDown);
        }

        var reader = new BitReader(jpeg, dataStart);
        var endOfBandRun = 0;
        for (long mcu = 0; mcu < mcusAcross * mcusDown; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                if (!reader.Restart())
                {
                    return -1;
                }

                endOfBandRun = 0;
            }

            foreach (var (component, dc, ac) in scanComponents)
            {
                var (across, down) = count == 1 ? (1, 1) : (component.H, component.V);
                for (var by = 0; by < down; by++)
                {
                    for (var bx = 0; bx < across; bx++)
                    {
                        bool ok;
                        if (!frame.Progressive)
                        {
                            ok = WalkBaselineBlock(ref reader, dc!, ac!);
                        }
                        else if (spectralStart == 0)
                        {
                            ok = high == 0 ? WalkDcFirst(ref reader, dc!) : reader.Skip(1);
                        }
                        else
                        {
                            // AC scans of a progressive JPEG hold one component, so the MCU is the block.
                            ref var mask = ref component.Masks[mcu];
                            ok = high == 0
                                ? WalkAcFirst(ref reader, ac!, spectralStart, spectralEnd, ref endOfBandRun, ref mask)
                                : WalkAcRefine(ref reader, ac!, spectralStart, spectralEnd, ref endOfBandRun, ref mask);
                        }

                        if (!ok)
                        {
                            return -1;
                        }
                    }
                }
            }
        }

        return reader.EndOfScan(MaxPaddingBytes);
    }

    private static bool WalkBaselineBlock(ref BitReader reader, HuffmanTable dc, HuffmanTable ac)
    {
        if (!WalkDcFirst(ref reader, dc))
        {
            return false;
        }

        for (var k = 1; k < 64;)
        {
            var symbol = ac.Decode(ref reader);
            if (symbol < 0)
            {
                return false;
            }

            var run = symbol >> 4;
            var bits = symbol & 0x0F;
            if (bits == 0)
            {
                if (run != 15)
                {
                    return true; // end of block
                }

                k += 16;
                continue;
            }

            k += run;
            if (k > 63 || bits > 14 || !reader.Skip(bits))
            {
                return false;
            }

            k++;
        }

        return true;
    }

    private static bool WalkDcFirst(ref BitReader reader, HuffmanTable dc)
    {
        var size = dc.Decode(ref reader);
        return size is >= 0 and <= 15 && reader.Skip(size);
    }

    private static bool WalkAcFirst(ref BitReader reader, HuffmanTable ac, int start, int end, ref int endOfBandRun, ref ulong nonZero)
    {
        if (endOfBandRun > 0)
        {
            endOfBandRun--;
            return true;
        }

        for (var k = start; k <= end;)
        {
            var symbol = ac.Decode(ref reader);
            if (symbol < 0)
            {
                return false;
            }

            var run = symbol >> 4;
            var bits = symbol & 0x0F;
            if (bits == 0)
            {
                if (run != 15)
                {
                    if (!ReadEndOfBandRun(ref reader, run, ref endOfBandRun))
                    {
                        return false;
                    }

                    endOfBandRun--;
                    return true;
                }

                k += 16;
                continue;
            }

            k += run;
            if (k > end || !reader.Skip(bits))
            {
                return false;
            }

            nonZero |= 1UL << k;
            k++;
        }

        return true;
    }

    private static bool WalkAcRefine(ref BitReader reader, HuffmanTable ac, int start, int end, ref int endOfBandRun, ref ulong nonZero)
    {
        var k = start;
        if (endOfBandRun == 0)
        {
            for (; k <= end; k++)
            {
                var symbol = ac.Decode(ref reader);
                if (symbol < 0)
                {
                    return false;
                }

                var run = symbol >> 4;
                var bits = symbol & 0x0F;
                if (bits != 0)
                {
                    if (!reader.Skip(1))
                    {
                        return false;
                    }
                }
                else if (run != 15)
                {
                    if (!ReadEndOfBandRun(ref reader, run, ref endOfBandRun))
                    {
                        return false;
                    }

                    break;
                }

                // Skip `run` zero coefficients, reading a correction bit for each already non-zero one on the way.
                do
                {
                    if ((nonZero & (1UL << k)) != 0)
                    {
                        if (!reader.Skip(1))
                        {
                            return false;
                        }
                    }
                    else if (--run < 0)
                    {
                        break;
                    }

                    k++;
                }
                while (k <= end);

                if (bits != 0)
                {
                    if (k > end)
                    {
                        return false;
                    }

                    nonZero |= 1UL << k;
                }
            }
        }

        if (endOfBandRun > 0)
        {
            for (; k <= end; k++)
            {
                if ((nonZero & (1UL << k)) != 0 && !reader.Skip(1))
                {
                    return false;
                }
            }

            endOfBandRun--;
        }

        return true;
    }

    private static bool ReadEndOfBandRun(ref BitReader reader, int run, ref int endOfBandRun)
    {
        endOfBandRun = 1 << run;
        for (var i = run - 1; i >= 0; i--)
        {
            var bit = reader.Read();
            if (bit < 0)
            {
                return false;
            }

            endOfBandRun += bit << i;
        }

        return true;
    }

    private sealed class Frame
    {
        public required bool Progressive { get; init; }

        public required List<Component> Components { get; init; }

        public long McusAcross { get; private set; }

        public long McusDown { get; private set; }

        public int HMax { get; private set; }

        public int VMax { get; private set; }

        public static Frame? Read(ReadOnlySpan<byte> payload, bool progressive)
        {
            if (payload.Length < 6)
            {
                return null;
            }

            var height = BinaryPrimitives.ReadUInt16BigEndian(payload[1..]);
            var width = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
            var count = payload[5];
            if (payload.Length < 6 + (3 * count) || count == 0 || width == 0 || height == 0)
            {
                return null;
            }

            var components = new List<Component>();
            for (var i = 0; i < count; i++)
            {
                var at = 6 + (3 * i);
                var (h, v) = (payload[at + 1] >> 4, payload[at + 1] & 0x0F);
                if (h is < 1 or > 4 || v is < 1 or > 4)
                {
                    return null;
                }

                components.Add(new Component(payload[at], h, v));
            }

            var frame = new Frame { Progressive = progressive, Components = components };
            frame.HMax = components.Max(c => c.H);
            frame.VMax = components.Max(c => c.V);
            frame.McusAcross = (width + (8 * frame.HMax) - 1) / (8 * frame.HMax);
            frame.McusDown = (height + (8 * frame.VMax) - 1) / (8 * frame.VMax);
            foreach (var component in components)
            {
                component.Size(width, height, frame.HMax, frame.VMax, progressive);
            }

            return frame;
        }
    }

    private sealed class Component(int id, int h, int v)
    {
        public int Id { get; } = id;

        public int H { get; } = h;

        public int V { get; } = v;

        /// <summary>Gets the blocks per line of this component's own data (what a non-interleaved scan covers).</summary>
        public long BlocksAcross { get; private set; }

        public long BlocksDown { get; private set; }

        /// <summary>Gets the non-zero coefficient masks of this component's blocks, in the order a non-interleaved scan visits them (progressive only).</summary>
        public ulong[] Masks { get; private set; } = [];

        public void Size(int width, int height, int hMax, int vMax, bool progressive)
        {
            var componentWidth = ((width * H) + hMax - 1) / hMax;
            var componentHeight = ((height * V) + vMax - 1) / vMax;
            BlocksAcross = (componentWidth + 7) / 8;
            BlocksDown = (componentHeight + 7) / 8;
            if (progressive)
            {
                Masks = new ulong[BlocksAcross * BlocksDown];
            }
        }
    }

    private sealed class HuffmanTable
    {
        private readonly int[] _maxCode = new int[18];
        private readonly int[] _valueOffset = new int[17];
        private byte[] _values = [];

        public static HuffmanTable Create(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
        {
            var table = new HuffmanTable { _values = values.ToArray() };
            var code = 0;
            var index = 0;
            for (var length = 1; length <= 16; length++)
            {
                var n = counts[length - 1];
                table._valueOffset[length] = index - code;
                code += n;
                index += n;
                table._maxCode[length] = n > 0 ? code - 1 : -1;
                code <<= 1;
            }

            table._maxCode[17] = int.MaxValue;
            return table;
        }

        /// <summary>Reads one code; returns its symbol, or -1 when no code of up to 16 bits matches or the data ran out.</summary>
        public int Decode(ref BitReader reader)
        {
            var code = 0;
            for (var length = 1; length <= 16; length++)
            {
                var bit = reader.Read();
                if (bit < 0)
                {
                    return -1;
                }

                code = (code << 1) | bit;
                if (code <= _maxCode[length] && _maxCode[length] >= 0)
                {
                    var at = code + _valueOffset[length];
                    return at >= 0 && at < _values.Length ? _values[at] : -1;
                }
            }

            return -1;
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> data, int start)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position = start;
        private int _current;
        private int _bitsLeft;
        private int _fill;

        /// <summary>
        /// Drops the bits left of the current byte and returns the position of the marker that ends the scan, allowing
        /// at most <paramref name="slack"/> bytes before it; -1 when more data follows.
        /// </summary>
        public int EndOfScan(int slack)
        {
            _bitsLeft = 0;
            for (var skipped = 0; _position + 1 < _data.Length; skipped++)
            {
                if (_data[_position] == 0xFF && _data[_position + 1] is not 0x00 and not (>= 0xD0 and <= 0xD7))
                {
                    return _position;
                }

                if (skipped >= slack)
                {
                    return -1;
                }

                _position++;
            }

            return -1;
        }

        public int Read()
        {
            if (_bitsLeft == 0)
            {
                if (!Load())
                {
                    return -1;
                }
            }

            _bitsLeft--;
            return (_current >> _bitsLeft) & 1;
        }

        public bool Skip(int bits)
        {
            for (var i = 0; i < bits; i++)
            {
                if (Read() < 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Drops the bits left of the current byte and expects a restart marker.</summary>
        public bool Restart()
        {
            _bitsLeft = 0;
            _fill = 0;
            if (_position + 1 < _data.Length && _data[_position] == 0xFF && _data[_position + 1] is >= 0xD0 and <= 0xD7)
            {
                _position += 2;
                return true;
            }

            return false;
        }

        private bool Load()
        {
            if (_position < _data.Length && _data[_position] != 0xFF)
            {
                _current = _data[_position++];
            }
            else if (_position + 1 < _data.Length && _data[_position] == 0xFF && _data[_position + 1] == 0x00)
            {
                _current = 0xFF;
                _position += 2;
            }
            else if (_fill++ < 4)
            {
                // At a marker: decoders pad with one bits, and a few encoders cut the last byte short.
                _current = 0xFF;
            }
            else
            {
                return false;
            }

            _bitsLeft = 8;
            return true;
        }
    }
}
