
namespace Marketplace.Chat.IntegrationTests.Attachments;

/// <summary>
/// Extracts the compressed pixel data of an image, independently of the library's container walkers, so a stored
/// copy can be compared with its upload: metadata may go, pixels must stay byte for byte.
/// </summary>
internal static class ImageData
{
    public static byte[] Of(string contentType, byte[] image) => contentType switch
    {
        "image/jpeg" => ImageBytes.JpegScanData(image),
        "image/png" => ImageBytes.PngImageData(image),
        "image/webp" => ImageBytes.WebPImageData(image),
        _ => throw new ArgumentOutOfRangeException(nameof(contentType), contentType, "No pixel extraction for this type."),
    };
}
