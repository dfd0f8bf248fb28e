using System.Net;
using System.Text;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    [Fact]
    public async Task Accept_files_and_images_exactly_at_their_limits_and_refuse_one_byte_more_over_http()
    {
        var diagram = CorpusFiles.Read("diagram.png");
        var (host, root) = await StartHostAsync("attachment_limits", o =>
        {
            o.Attachments.MaxFileBytes = 1000;
            o.Attachments.MaxImageBytes = diagram.Length;
        });
        await using var _ = host;
        var deal = await NewDealAsync(host);

        var atFileLimit = await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, Encoding.UTF8.GetBytes(new string('a', 1000)), "a.txt");
        var atImageLimit = await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, diagram, "diagram.png");
        Assert.Equal((1000L, AttachmentKind.File), (atFileLimit.Length, atFileLimit.Kind));
        Assert.Equal((diagram.Length, AttachmentKind.Image), (atImageLimit.Length, atImageLimit.Kind));

        using var fileOver = await UploadAsync(host, deal.Buyer, deal.ConversationId, Encoding.UTF8.GetBytes(new string('a', 1001)), "b.txt");
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "AttachmentTooLarge"), await ProblemOf(fileOver));

        // One byte more is refused for its size before its structure is looked at (it would also be trailing data).
        using var imageOver = await UploadAsync(host, deal.Buyer, deal.ConversationId, [.. diagram, 0], "diagram.png");
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "AttachmentTooLarge"), await ProblemOf(imageOver));

        // Past the larger of the two limits the stream is cut off while it arrives.
        using var streamedOver = await UploadAsync(host, deal.Buyer, deal.ConversationId, new byte[diagram.Length + 1], "big.bin");
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "AttachmentTooLarge"), await ProblemOf(streamedOver));

        Assert.Equal(2, (await RowsAsync(host, deal.ConversationId)).Count);
        Assert.Equal(3, StoredFiles(root).Count); // the text, the image and its preview
    }

    [Fact]
    public async Task Stop_reading_an_endless_upload_as_soon_as_it_passes_the_limit()
    {
        var (host, root) = await StartHostAsync("attachment_endless", o =>
        {
            o.Attachments.MaxFileBytes = 1000;
            o.Attachments.MaxImageBytes = 1000;
        });
        await using var _ = host;
        var deal = await NewDealAsync(host);

        // HttpClient insists on sending a whole body before it reads the answer, so this client speaks HTTP/1.1 itself:
        // it keeps sending chunks of an upload that never ends, and listens for the answer at the same time.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(host.BaseUrl.Host, host.BaseUrl.Port).WaitAsync(ChatClientProbe.Timeout);
        var stream = tcp.GetStream();
        var head = $"POST /chat/conversations/{deal.ConversationId}/attachments HTTP/1.1\r\nHost: {host.BaseUrl.Authority}\r\n"
            + $"Authorization: Bearer {deal.Buyer}\r\nContent-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await WriteChunkAsync(stream, Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"endless.txt\"\r\n\r\n"));
        var answer = ReadResponseAsync(stream);
        var chunk = Enumerable.Repeat((byte)'z', 16 * 1024).ToArray();
        long sent = 0;
        try
        {
            while (!answer.IsCompleted && sent < (1L << 30))
            {
                await WriteChunkAsync(stream, chunk);
                sent += chunk.Length;
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering: it will not read any more of this body.
        }

        var response = await answer.WaitAsync(ChatClientProbe.Timeout);
        Assert.StartsWith("HTTP/1.1 413 ", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"AttachmentTooLarge\"", response, StringComparison.Ordinal);
        Assert.True(sent < 64L * 1024 * 1024, $"The client could send {sent} bytes of an upload limited to 1000 before the server answered.");
        Assert.Empty(await RowsAsync(host, deal.ConversationId));
        Assert.Empty(StoredFiles(root));
    }

    private static async Task WriteChunkAsync(Stream stream, byte[] data)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"));
        await stream.WriteAsync(data);
        await stream.WriteAsync("\r\n"u8.ToArray());
    }

    /// <summary>Reads one HTTP/1.1 response (headers and a Content-Length or chunked body) as text.</summary>
    private static async Task<string> ReadResponseAsync(Stream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
            var text = Encoding.UTF8.GetString(received.ToArray());
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal) && (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) || text.EndsWith('}')))
            {
                return text;
            }
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    [Fact]
    public async Task Raise_the_servers_request_body_limit_to_the_attachment_limit()
    {
        // Kestrel refuses bodies over 30,000,000 bytes unless the endpoint raises the limit for its request.
        const int size = 31_000_000;
        var (host, _) = await StartHostAsync("attachment_body_limit", o => o.Attachments.MaxFileBytes = 32_000_000);
        await using var __ = host;
        var deal = await NewDealAsync(host);

        var info = await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, Encoding.ASCII.GetBytes(new string('x', size)), "large.txt");

        Assert.Equal(size, info.Length);
    }

    [Fact]
    public async Task Refuse_form_fields_beside_the_file_that_exceed_the_multipart_allowance()
    {
        var (host, root) = await StartHostAsync("attachment_fields", o =>
        {
            o.Attachments.MaxFileBytes = 1000;
            o.Attachments.MaxImageBytes = 1000;
        });
        await using var _ = host;
        var deal = await NewDealAsync(host);
        using var http = host.Http(deal.Buyer);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(new string('n', 200_000)), "note" },
            { new ByteArrayContent("hello"u8.ToArray()), "file", "hello.txt" },
        };

        using var response = await http.PostAsync($"/chat/conversations/{deal.ConversationId}/attachments", form);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "AttachmentTooLarge"), await ProblemOf(response));
        Assert.Empty(StoredFiles(root));
    }

    [Fact]
    public async Task Accept_small_form_fields_beside_the_file()
    {
        var deal = await NewDealAsync();
        using var http = _host.Http(deal.Buyer);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("a caption the endpoint ignores"), "caption" },
            { new ByteArrayContent("hello"u8.ToArray()), "file", "hello.txt" },
        };

        using var response = await http.PostAsync($"/chat/conversations/{deal.ConversationId}/attachments", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static TheoryData<string, string, string, HttpStatusCode, string> MalformedUploads() => new()
    {
        { "not multipart", "application/json", """{"file":"aGVsbG8="}""", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "no content type", "", "hello", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "no boundary", "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--x--\r\n", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "boundary too long", "multipart/form-data; boundary=" + new string('b', 71), "", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "empty body", "multipart/form-data; boundary=x", "", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "no boundary in the body", "multipart/form-data; boundary=x", "just some bytes that never reach a boundary", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "endless preamble", "multipart/form-data; boundary=x", new string('p', 100_000), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "no closing boundary", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "broken part headers", "multipart/form-data; boundary=x", "--x\r\nthis is not a header\r\n\r\nhello\r\n--x--\r\n", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "huge part header", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + new string('h', 40_000) + ".txt\"\r\n\r\nhello\r\n--x--\r\n", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "no file field", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n--x--\r\n", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "empty file input", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--x--\r\n", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "two files", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.txt\"\r\n\r\nhello\r\n--x\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.txt\"\r\n\r\nworld\r\n--x--\r\n", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "empty file", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n\r\n--x--\r\n", HttpStatusCode.UnsupportedMediaType, "AttachmentEmpty" },
    };

    [Theory]
    [MemberData(nameof(MalformedUploads))]
    public async Task Answer_a_malformed_upload_with_a_problem_and_keep_nothing(
        string what, string contentType, string body, HttpStatusCode status, string code)
    {
        var deal = await NewDealAsync();
        var filesBefore = StoredFiles(_storageRoot).Count;
        using var http = _host.Http(deal.Buyer);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await http.PostAsync($"/chat/conversations/{deal.ConversationId}/attachments", content);

        var (actualStatus, actualCode) = await ProblemOf(response);
        Assert.Equal((what, status, code), (what, actualStatus, actualCode));
        Assert.Empty(await RowsAsync(_host, deal.ConversationId));
        Assert.Equal(filesBefore, StoredFiles(_storageRoot).Count);
        var errors = _host.Logs.Lines
            .Where(line => line.StartsWith("Error Microsoft.AspNetCore", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal)
                || line.StartsWith("Error Marketplace.Chat", StringComparison.Ordinal))
            .ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Limit_how_many_unsent_uploads_a_user_may_keep()
    {
        var (host, _) = await StartHostAsync("attachment_pending", o => o.Attachments.MaxPendingUploadsPerUser = 2);
        await using var _ = host;
        var deal = await NewDealAsync(host);
        var first = await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, "one"u8.ToArray(), "one.txt");
        await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, "two"u8.ToArray(), "two.txt");

        using var third = await UploadAsync(host, deal.Buyer, deal.ConversationId, "three"u8.ToArray(), "three.txt");
        Assert.Equal((HttpStatusCode.TooManyRequests, "RateLimited"), await ProblemOf(third));
        await UploadAcceptedAsync(host, deal.Seller, deal.ConversationId, "the seller has room"u8.ToArray(), "seller.txt");

        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", deal.Buyer));
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, Guid.NewGuid(), first.Id, null);

        await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, "three"u8.ToArray(), "three.txt");
    }
}
