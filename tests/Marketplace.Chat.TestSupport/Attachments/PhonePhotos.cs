using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Marketplace.Chat.TestSupport.Attachments;

/// <summary>
/// Makes phone-style JPEGs: 96 × 48 stored pixels, blue with a red square in the stored top-left corner, and an EXIF
/// block with the given orientation plus what phones add (maker, model, time, GPS).
/// </summary>
public static class PhonePhotos
{
    public const int Width = 96;
    public const int Height = 48;
    public const int Marker = 24;

    public static byte[] Make(int orientation)
    {
        using var image = new Image<Rgba32>(Width, Height, new Rgba32(0, 0, 255));
        for (var y = 0; y < Marker; y++)
        {
            for (var x = 0; x < Marker; x++)
            {
                image[x, y] = new Rgba32(255, 0, 0);
            }
        }

        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Orientation, (ushort)orientation);
        exif.SetValue(ExifTag.Make, "PhoneMaker");
        exif.SetValue(ExifTag.Model, "Phone 12");
        exif.SetValue(ExifTag.DateTimeOriginal, "2026:11:30 10:00:00");
        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
        exif.SetValue(ExifTag.GPSLatitude, [new SixLabors.ImageSharp.Rational(48, 1), new SixLabors.ImageSharp.Rational(51, 1), new SixLabors.ImageSharp.Rational(30, 1)]);
        image.Metadata.ExifProfile = exif;
        using var output = new MemoryStream();
        image.Save(output, new JpegEncoder { Quality = 95 });
        return output.ToArray();
    }
}
