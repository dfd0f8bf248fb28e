using Marketplace.Chat.Attachments;
using Marketplace.Chat.Attachments.Inspection;

namespace Marketplace.Chat.Tests.Attachments;

public partial class AttachmentInspectorShould
{
    [Theory]
    [InlineData("photo_bali_small.jpg")]
    [InlineData("xmp_comment.jpg")]
    [InlineData("diagram.png")]
    [InlineData("png_exif_gps.png")]
    [InlineData("cat.gif")]
    [InlineData("icon.webp")]
    [InlineData("webp_exif.webp")]
    [InlineData("rapport.docx")]
    [InlineData("notes.odt")]
    [InlineData("archive.zip")]
    [InlineData("macro_docm_as.docx")]
    [InlineData("courses_bom.txt")]
    public async Task Give_a_verdict_rather_than_an_exception_for_damaged_copies(string file)
    {
        var original = CorpusFiles.Read(file);
        var random = new Random(file.Length * 7919);
        var inspector = new AttachmentInspector(new AttachmentOptions());
        var refused = 0;
        for (var round = 0; round < Iterations; round++)
        {
            var damaged = round % 3 == 0
                ? original[..random.Next(1, original.Length)]
                : Mutate(original, random);
            using var input = new MemoryStream(damaged, writable: false);
            using var output = new MemoryStream();

            var result = await inspector.InspectAsync(input, output, CancellationToken.None);

            Assert.Equal(result.Accepted, result.RejectionCode is null);
            refused += result.Accepted ? 0 : 1;
        }

        // Truncation alone refuses a third of the rounds for every format but text.
        Assert.True(file.EndsWith(".txt", StringComparison.Ordinal) || refused >= Iterations / 3, $"Only {refused} of {Iterations} damaged copies were refused.");
    }

    private const int Iterations = 150;

    private static byte[] Mutate(byte[] original, Random random)
    {
        var damaged = (byte[])original.Clone();
        var flips = random.Next(1, 5);
        for (var flip = 0; flip < flips; flip++)
        {
            // Favour the headers, where the structure lives.
            var position = random.Next(2) == 0 ? random.Next(Math.Min(damaged.Length, 512)) : random.Next(damaged.Length);
            damaged[position] = (byte)random.Next(256);
        }

        return damaged;
    }
}
