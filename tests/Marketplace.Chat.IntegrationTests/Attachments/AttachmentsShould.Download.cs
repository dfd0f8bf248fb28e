using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    [Fact]
    public async Task Serve_an_image_inline_in_a_sandbox_with_the_type_sniffed_from_its_bytes()
    {
        var deal = await NewDealAsync();
        var content = CorpusFiles.Read("photo_bali_small.jpg");
        using var upload = await UploadAsync(deal.Buyer, deal.ConversationId, content, "holiday.html", declaredType: "text/html");
        var info = (await upload.Content.ReadFromJsonAsync<Marketplace.Chat.Attachments.ChatAttachmentInfo>(Json))!;

        using var response = await DownloadAsync(deal.Buyer, info.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        AssertSandboxed(Header(response, "Content-Security-Policy"));
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("holiday_html.jpg", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal($"\"{info.Sha256}\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag?.IsWeak);
        Assert.Contains("private", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("lettre_fr.txt", "text/plain; charset=utf-8")]
    [InlineData("shared-mime-info-spec.pdf", "application/pdf")]
    [InlineData("archive.zip", "application/zip")]
    [InlineData("rapport.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    public async Task Offer_every_file_that_is_not_an_image_as_a_download_under_a_safe_name(string file, string contentType)
    {
        var deal = await NewDealAsync();
        var extension = Path.GetExtension(file);
        var hostile = "..\\..\\Zoé\u202Egnp" + extension + "\u0000";
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read(file), hostile);

        using var response = await DownloadAsync(deal.Buyer, upload.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        AssertSandboxed(Header(response, "Content-Security-Policy"));
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("Zoégnp" + extension, upload.FileName);
        Assert.Equal(upload.FileName, disposition.FileNameStar);
        Assert.True(Encoding.ASCII.GetByteCount(disposition.FileName!) == disposition.FileName!.Length, "The plain filename fallback must be ASCII.");
    }

    [Fact]
    public async Task Answer_a_matching_if_none_match_with_304_and_ranges_with_206()
    {
        var deal = await NewDealAsync();
        var content = CorpusFiles.Read("shared-mime-info-spec.pdf");
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, content, "spec.pdf");
        var etag = new EntityTagHeaderValue($"\"{upload.Sha256}\"");

        using (var notModified = await DownloadAsync(deal.Buyer, upload.Id, r => r.Headers.IfNoneMatch.Add(etag)))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal("nosniff", Header(notModified, "X-Content-Type-Options"));
        }

        using (var changed = await DownloadAsync(deal.Buyer, upload.Id, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"another\""))))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using (var range = await DownloadAsync(deal.Buyer, upload.Id, r => r.Headers.Range = new RangeHeaderValue(100, 199)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
            Assert.Equal($"bytes 100-199/{content.Length}", range.Content.Headers.ContentRange?.ToString());
            Assert.Equal(content[100..200], await range.Content.ReadAsByteArrayAsync());
            Assert.Equal("attachment", range.Content.Headers.ContentDisposition?.DispositionType);
        }

        using (var suffix = await DownloadAsync(deal.Buyer, upload.Id, r => r.Headers.Range = new RangeHeaderValue(null, 16)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, suffix.StatusCode);
            Assert.Equal(content[^16..], await suffix.Content.ReadAsByteArrayAsync());
        }

        using (var staleRange = await DownloadAsync(deal.Buyer, upload.Id, r =>
               {
                   r.Headers.Range = new RangeHeaderValue(0, 9);
                   r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"stale\""));
               }))
        {
            Assert.Equal(HttpStatusCode.OK, staleRange.StatusCode);
            Assert.Equal(content.Length, (await staleRange.Content.ReadAsByteArrayAsync()).Length);
        }

        using var unsatisfiable = await DownloadAsync(deal.Buyer, upload.Id, r => r.Headers.Range = new RangeHeaderValue(content.Length + 10, content.Length + 20));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : throw new Xunit.Sdk.XunitException($"The response has no {name} header.");

    private static void AssertSandboxed(string policy)
    {
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("sandbox", directives);
        Assert.Contains("default-src 'none'", directives);
    }
}
