using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Marketplace.Chat.Attachments;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Marketplace.Chat.MicroBenchmarks;

/// <summary>
/// One-shot measurement (not BenchmarkDotNet) of the upload inspection of one large image: container walk, full decode,
/// preview, hashing, as <c>AttachmentInspector.InspectAsync</c> runs them for the upload endpoint. Run one image per
/// process so the peak working set belongs to it, and make the synthetic images beforehand in another:
/// <c>... -- --attachment-upload make jpeg-40mp|png-40mp|jpeg-12mp OUT</c>, then <c>... -- --attachment-upload FILE</c>.
/// </summary>
internal static class AttachmentUploadTiming
{
    private const int Runs = 3;

    public static void Run(string[] args)
    {
        if (args is ["make", var kind, var path])
        {
            File.WriteAllBytes(path, kind switch
            {
                "jpeg-40mp" => Synthetic(7744, 5164, jpeg: true),
                "png-40mp" => Synthetic(7744, 5164, jpeg: false),
                "jpeg-12mp" => Synthetic(4032, 3024, jpeg: true),
                _ => throw new ArgumentException($"Unknown synthetic image {kind}.", nameof(args)),
            });
            return;
        }

        var what = args[0];
        var image = File.ReadAllBytes(what);

        var options = new AttachmentOptions();
        var inspectorType = typeof(AttachmentOptions).Assembly.GetType("Marketplace.Chat.Attachments.Inspection.AttachmentInspector", throwOnError: true)!;
        var inspector = Activator.CreateInstance(inspectorType, BindingFlags.Public | BindingFlags.Instance, null, [options], CultureInfo.InvariantCulture)!;
        var inspect = inspectorType.GetMethod("InspectAsync")!;
        GC.Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {image.Length / 1048576.0:0.00} MiB, baseline working set {baseline / 1048576.0:0} MiB, {Environment.ProcessorCount} cores"));
        for (var run = 0; run <= Runs; run++)
        {
            using var input = new MemoryStream(image, writable: false);
            using var output = new MemoryStream();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var task = (Task)inspect.Invoke(inspector, [input, output, CancellationToken.None])!;
            task.GetAwaiter().GetResult();
            clock.Stop();
            process.Refresh();
            var result = task.GetType().GetProperty("Result")!.GetValue(task)!;
            var accepted = (bool)result.GetType().GetProperty("Accepted")!.GetValue(result)!;
            var code = result.GetType().GetProperty("RejectionCode")!.GetValue(result);
            var preview = result.GetType().GetProperty("Preview")!.GetValue(result);
            var previewBytes = preview?.GetType().GetProperty("Preview")!.GetValue(preview) as byte[];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{(run == 0 ? "warm-up" : $"run {run}")}: {(accepted ? "accepted" : $"refused {code}")}, {clock.Elapsed.TotalMilliseconds:0} ms wall, "
                + $"{(process.TotalProcessorTime - cpu).TotalMilliseconds:0} ms CPU, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:0} MiB managed allocated, "
                + $"preview {previewBytes?.Length / 1024.0:0} KiB, peak working set {process.PeakWorkingSet64 / 1048576.0:0} MiB"));
        }
    }

    /// <summary>A picture with gradients and fine texture, so the encoder has real work and the file lands under the 10 MiB limit.</summary>
    private static byte[] Synthetic(int width, int height, bool jpeg)
    {
        using var picture = new Image<Rgb24>(width, height);
        picture.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var texture = (byte)(((x * 7) ^ (y * 13)) & 0x0F);
                    row[x] = new Rgb24((byte)((x * 255 / width) + texture), (byte)((y * 255 / height) + texture), (byte)(128 + texture));
                }
            }
        });
        using var output = new MemoryStream();
        if (jpeg)
        {
            picture.Save(output, new JpegEncoder { Quality = 85 });
        }
        else
        {
            picture.Save(output, new PngEncoder { CompressionLevel = PngCompressionLevel.BestCompression });
        }

        return output.ToArray();
    }
}
