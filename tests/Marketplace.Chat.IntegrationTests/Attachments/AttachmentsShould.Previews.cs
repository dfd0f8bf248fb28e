using System.Net;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    [Fact]
    public async Task Serve_an_images_preview_beside_it_with_the_same_access_rule_and_headers()
    {
        var deal = await NewDealAsync();
        var info = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read("photo_gps.jpg"), "photo_gps.jpg");
        var preview = info.Preview!;
        Assert.Equal(("image/jpeg", 426, 640), (preview.ContentType, preview.Width, preview.Height));

        // Unsent: the uploader only, like the original.
        using (var own = await PreviewAsync(deal.Buyer, info.Id))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal("image/jpeg", own.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", own.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("default-src 'none'; sandbox", own.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("inline", own.Content.Headers.ContentDisposition?.DispositionType);
            var bytes = await own.Content.ReadAsByteArrayAsync();
            Assert.Equal(preview.Length, bytes.Length);
            using var drawn = Image.Load<Rgba32>(bytes);
            Assert.Equal((preview.Width, preview.Height), (drawn.Width, drawn.Height));
        }

        using (var early = await PreviewAsync(deal.Seller, info.Id))
        {
            Assert.Equal((HttpStatusCode.NotFound, "AttachmentNotAvailable"), await ProblemOf(early));
        }

        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Buyer));
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        var message = await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, Guid.NewGuid(), info.Id, null);
        Assert.Equal(preview, message.Attachment!.Preview);

        using (var seller = await PreviewAsync(deal.Seller, info.Id))
        {
            Assert.Equal(HttpStatusCode.OK, seller.StatusCode);
        }

        using var outsider = await PreviewAsync(Outsider, info.Id);
        Assert.Equal((HttpStatusCode.NotFound, "AttachmentNotAvailable"), await ProblemOf(outsider));
    }

    [Fact]
    public async Task Answer_the_preview_of_a_file_as_not_available()
    {
        var deal = await NewDealAsync();
        var info = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, "plain words"u8.ToArray(), "notes.txt");
        Assert.Null(info.Preview);

        using var response = await PreviewAsync(deal.Buyer, info.Id);

        Assert.Equal((HttpStatusCode.NotFound, "AttachmentNotAvailable"), await ProblemOf(response));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(8)]
    public async Task Report_a_phone_photo_over_http_with_its_displayed_size_and_keep_its_orientation(int orientation)
    {
        var deal = await NewDealAsync();

        var info = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, PhonePhotos.Make(orientation), "IMG_0001.jpg");

        var (width, height) = orientation >= 5 ? (PhonePhotos.Height, PhonePhotos.Width) : (PhonePhotos.Width, PhonePhotos.Height);
        Assert.Equal((width, height), (info.Width, info.Height));
        Assert.Equal((width, height), (info.Preview!.Width, info.Preview.Height));
        Assert.True(info.MetadataRemoved);
        using var download = await DownloadAsync(deal.Buyer, info.Id);
        var stored = await download.Content.ReadAsByteArrayAsync();
        var exif = MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(stored))
            .OfType<MetadataExtractor.Formats.Exif.ExifIfd0Directory>().SingleOrDefault();
        int? kept = exif is null ? null : MetadataExtractor.DirectoryExtensions.GetInt32(exif, MetadataExtractor.Formats.Exif.ExifDirectoryBase.TagOrientation);
        Assert.Equal(orientation == 1 ? null : orientation, kept);
    }

    private async Task<HttpResponseMessage> PreviewAsync(string token, Guid attachmentId)
    {
        using var http = _host.Http(token);
        return await http.GetAsync($"/chat/attachments/{attachmentId}/preview");
    }
}
