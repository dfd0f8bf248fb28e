using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Marketplace.Chat.Tests.Attachments;

/// <summary>Builds small, well-formed PDFs in the tests: a classic cross-reference table, or objects packed in a compressed object stream.</summary>
internal static class PdfBytes
{
    /// <summary>Writes objects 1..n (object 1 is the catalog) with a cross-reference table.</summary>
    public static byte[] Classic(params string[] objects)
    {
        var body = new MemoryStream();
        Write(body, "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(body.Position);
            Write(body, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = body.Position;
        var table = new StringBuilder($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            table.Append(offset.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n \n");
        }

        Write(body, table.ToString());
        Write(body, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return body.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="plain"/> as objects 1..p (object 1 is the catalog), <paramref name="packed"/> as objects
    /// p+1..p+k inside one FlateDecode object stream, and a cross-reference stream (PDF 1.5) that finds them all.
    /// </summary>
    public static byte[] WithObjectStream(string[] plain, string[] packed)
    {
        var body = new MemoryStream();
        Write(body, "%PDF-1.5\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < plain.Length; i++)
        {
            offsets.Add(body.Position);
            Write(body, $"{i + 1} 0 obj\n{plain[i]}\nendobj\n");
        }

        var header = new StringBuilder();
        var objects = new StringBuilder();
        for (var i = 0; i < packed.Length; i++)
        {
            header.Append(CultureInfo.InvariantCulture, $"{plain.Length + 1 + i} {objects.Length} ");
            objects.Append(packed[i]).Append('\n');
        }

        var streamNumber = plain.Length + packed.Length + 1;
        var raw = Encoding.ASCII.GetBytes(header.ToString() + objects);
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var streamOffset = body.Position;
        Write(body, $"{streamNumber} 0 obj\n<< /Type /ObjStm /N {packed.Length} /First {header.Length} /Filter /FlateDecode /Length {compressed.Length} >>\nstream\n");
        body.Write(compressed.ToArray());
        Write(body, "\nendstream\nendobj\n");

        // Cross-reference stream: W [1 4 2]; type 1 = offset, type 2 = (object stream, index).
        var xrefNumber = streamNumber + 1;
        var xrefOffset = body.Position;
        var rows = new MemoryStream();
        void Row(byte type, long field2, int field3)
        {
            rows.WriteByte(type);
            rows.Write([(byte)(field2 >> 24), (byte)(field2 >> 16), (byte)(field2 >> 8), (byte)field2]);
            rows.Write([(byte)(field3 >> 8), (byte)field3]);
        }

        Row(0, 0, 0xFFFF);
        foreach (var offset in offsets)
        {
            Row(1, offset, 0);
        }

        for (var i = 0; i < packed.Length; i++)
        {
            Row(2, streamNumber, i);
        }

        Row(1, streamOffset, 0);
        Row(1, xrefOffset, 0);
        Write(body, $"{xrefNumber} 0 obj\n<< /Type /XRef /Size {xrefNumber + 1} /W [1 4 2] /Root 1 0 R /Length {rows.Length} >>\nstream\n");
        body.Write(rows.ToArray());
        Write(body, $"\nendstream\nendobj\nstartxref\n{xrefOffset}\n%%EOF\n");
        return body.ToArray();
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.Latin1.GetBytes(text));
}
