using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the Huffman-coded data of a baseline JPEG (SOF0/SOF1, one interleaved scan) symbol by symbol, without
/// computing a pixel: every code must exist in its table, no block may hold more than 64 coefficients, and the data
/// must hold exactly the blocks the frame needs. ImageSharp 2.1 decodes noise in place of broken entropy data
/// without complaint; this is the check that tells a damaged photo from a real one.
/// </summary>
/// <remarks>
/// Progressive and multi-scan JPEGs are not walked here (ImageSharp's decode is their only check). The walk reads
/// each bit once: linear in the file size, no allocation beyond the Huffman tables.
/// </remarks>
internal static class JpegEntropyCheck
{
    private const int MaxPaddingBytes = 16;

    /// <summary>Returns false when the entropy-coded data of a baseline JPEG does not decode; true otherwise (and for layouts it does not walk).</summary>
    public static bool Decodes(ReadOnlySpan<byte> jpeg)
    {
        var tables = new HuffmanTable?[8];
        var components = new List<(int Id, int H, int V)>();
        var restartInterval = 0;
        var baseline = false;
        int width = 0, height = 0;
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

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(position + 2)..]);
            if (position + 2 + length > jpeg.Length || length < 2)
            {
                return true;
            }

            var payload = jpeg.Slice(position + 4, length - 2);
            switch (marker)
            {
                case 0xC0 or 0xC1:
                    baseline = true;
                    height = BinaryPrimitives.ReadUInt16BigEndian(payload[1..]);
                    width = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
                    for (var i = 0; i < payload[5]; i++)
                    {
                        var at = 6 + (3 * i);
                        components.Add((payload[at], payload[at + 1] >> 4, payload[at + 1] & 0x0F));
                    }

                    break;
                case >= 0xC2 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    return true; // progressive, lossless or arithmetic: not walked here
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
                    return !baseline || WalkScan(jpeg, position + 2 + length, payload, tables, components, restartInterval, width, height);
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

    private static bool WalkScan(
        ReadOnlySpan<byte> jpeg,
        int dataStart,
        ReadOnlySpan<byte> header,
        HuffmanTable?[] tables,
        List<(int Id, int H, int V)> components,
        int restartInterval,
        int width,
        int height)
    {
        var count = header[0];
        if (count != components.Count || header.Length < 1 + (2 * count) + 3)
        {
            return true; // one scan per component: not walked here
        }

        var hMax = components.Max(c => c.H);
        var vMax = components.Max(c => c.V);
        if (hMax == 0 || vMax == 0)
        {
            return false;
        }

        var blocks = new List<(HuffmanTable Dc, HuffmanTable Ac)>();
        for (var i = 0; i < count; i++)
        {
            var id = header[1 + (2 * i)];
            var selectors = header[2 + (2 * i)];
            var component = components.FindIndex(c => c.Id == id);
            if (component < 0 || tables[selectors >> 4] is not { } dc || tables[4 + (selectors & 0x0F)] is not { } ac)
            {
                return false;
            }

            var (_, h, v) = components[component];
            var perMcu = count == 1 ? 1 : h * v;
            for (var b = 0; b < perMcu; b++)
            {
                blocks.Add((dc, ac));
            }
        }

        long mcus = count == 1
            ? (long)Math.Ceiling(width * components[0].H / (8.0 * hMax)) * (long)Math.Ceiling(height * components[0].V / (8.0 * vMax))
            : (long)Math.Ceiling(width / (8.0 * hMax)) * (long)Math.Ceiling(height / (8.0 * vMax));
        var reader = new BitReader(jpeg, dataStart);
        for (long mcu = 0; mcu < mcus; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0 && !reader.Restart())
            {
                return false;
            }

            foreach (var (dc, ac) in blocks)
            {
                if (!WalkBlock(ref reader, dc, ac))
                {
                    return false;
                }
            }
        }

        return reader.PaddingLeft <= MaxPaddingBytes;
    }

    private static bool WalkBlock(ref BitReader reader, HuffmanTable dc, HuffmanTable ac)
    {
        var size = dc.Decode(ref reader);
        if (size is < 0 or > 15 || !reader.Skip(size))
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

        /// <summary>Gets the bytes between the last bit read and the end-of-image marker.</summary>
        public readonly int PaddingLeft => Math.Max(0, _data.Length - 2 - _position);

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
