using Marketplace.Chat.Access;
using Marketplace.Chat.Attachments.Inspection;
using System.Buffers;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Marketplace.Chat.Routing;

/// <summary>
/// Attachments over HTTP, under the chat prefix: <c>POST conversations/{conversationId}/attachments</c> (multipart/form-data,
/// one file field, streamed to a scratch file, never buffered whole), <c>GET attachments/{attachmentId}</c> and
/// <c>GET attachments/{attachmentId}/preview</c>.
/// Both authenticate the caller and check access on every request; refusals are ProblemDetails with the chat's codes.
/// </summary>
internal static class ChatAttachmentEndpoints
{
    /// <summary>Room for the multipart framing around the file: boundaries, part headers and a few small form fields.</summary>
    public const long MultipartOverhead = 64 * 1024;

    /// <summary>The sandbox every download is served in: no scripts, no plugins, no subresources, even when opened directly.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; sandbox";

    private const int MaxBoundaryLength = 70;
    private const int CopyBufferLength = 81920;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/conversations/{conversationId}/attachments", UploadAsync);
        group.MapGet("/attachments/{attachmentId}", context => DownloadAsync(context, preview: false));
        group.MapGet("/attachments/{attachmentId}/preview", context => DownloadAsync(context, preview: true));
    }

    private static async Task UploadAsync(HttpContext context)
    {
        IResult result;
        try
        {
            result = await UploadCoreAsync(context).ConfigureAwait(false);
        }
        catch (ChatException refusal)
        {
            result = ChatProblems.Refused(context, refusal);
        }
        catch (Exception ex) when (ChatProblems.IsUnavailable(context, ex))
        {
            result = ChatProblems.Unavailable(context, ex);
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static async Task<IResult> UploadCoreAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var cancellationToken = context.RequestAborted;
        var conversationId = RouteGuid(context, "conversationId");
        var user = await services.GetRequiredService<ChatUserResolver>().ResolveAsync(context).ConfigureAwait(false);
        await services.GetRequiredService<ChatBudgets>().AcquireAsync(ChatBudget.Upload, user.UserId, cancellationToken).ConfigureAwait(false);
        var attachments = services.GetRequiredService<AttachmentService>();

        // Nothing of the body is read before the caller is known to be allowed to write here.
        using var slot = await attachments.BeginUploadAsync(user, conversationId, cancellationToken).ConfigureAwait(false);

        var limits = services.GetRequiredService<IOptions<ChatOptions>>().Value.Attachments;
        var maxFile = Math.Max(limits.MaxImageBytes, limits.MaxFileBytes);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = maxFile + MultipartOverhead;
        }

        var boundary = BoundaryOf(context.Request.ContentType);
        await using var upload = TemporaryFile.Create();
        string? fileName;
        try
        {
            fileName = await ReadSingleFileAsync(context.Request.Body, boundary, upload, maxFile, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxFile);
        }
        catch (BadHttpRequestException)
        {
            throw Malformed();
        }
        catch (InvalidDataException)
        {
            throw Malformed();
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // MultipartReader reports a body that ends before its closing boundary as an IOException.
            throw Malformed();
        }

        upload.Position = 0;
        var info = await attachments.StoreAsync(user, conversationId, fileName, upload, cancellationToken).ConfigureAwait(false);
        return Results.Created(DownloadPath(context, info.Id), info);
    }

    /// <summary>Streams the one file part of the body into <paramref name="target"/> and returns its file name.</summary>
    private static async Task<string?> ReadSingleFileAsync(Stream body, string boundary, Stream target, long maxFile, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, body);
        string? fileName = null;
        var found = false;
        long otherBytes = 0;
        while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
        {
            var disposition = section.GetContentDispositionHeader();
            if (disposition is null || !IsFile(disposition))
            {
                // Other form fields are allowed and ignored, within the framing allowance.
                otherBytes += await CopyAsync(section.Body, Stream.Null, MultipartOverhead - otherBytes, cancellationToken).ConfigureAwait(false)
                    ?? throw TooLarge(maxFile);
                continue;
            }

            if (found)
            {
                throw new ChatException(ChatErrorCode.InvalidArgument, "Send one file per upload.");
            }

            found = true;
            fileName = !StringSegment.IsNullOrEmpty(disposition.FileNameStar)
                ? disposition.FileNameStar.Value
                : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
            _ = await CopyAsync(section.Body, target, maxFile, cancellationToken).ConfigureAwait(false) ?? throw TooLarge(maxFile);
        }

        if (!found)
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "Attach one file as a file field of a multipart/form-data body.");
        }

        return fileName;
    }

    /// <summary>Tells a file field from a plain one; a browser's empty file input (<c>filename=""</c>) is not a file.</summary>
    private static bool IsFile(ContentDispositionHeaderValue disposition) =>
        disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
        && (!StringSegment.IsNullOrEmpty(disposition.FileNameStar) || !StringSegment.IsNullOrEmpty(HeaderUtilities.RemoveQuotes(disposition.FileName)));

    /// <summary>Copies at most <paramref name="limit"/> bytes; returns the count, or null as soon as the source has more.</summary>
    private static async Task<long?> CopyAsync(Stream source, Stream target, long limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferLength);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferLength), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return null;
                }

                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string BoundaryOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "Upload the file as multipart/form-data.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary);
        if (StringSegment.IsNullOrEmpty(boundary) || boundary.Length > MaxBoundaryLength)
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "The multipart/form-data body needs a boundary of 1 to 70 characters.");
        }

        return boundary.ToString();
    }

    private static async Task DownloadAsync(HttpContext context, bool preview)
    {
        IResult result;
        try
        {
            var user = await context.RequestServices.GetRequiredService<ChatUserResolver>().ResolveAsync(context).ConfigureAwait(false);
            await context.RequestServices.GetRequiredService<ChatBudgets>()
                .AcquireAsync(ChatBudget.Download, user.UserId, context.RequestAborted).ConfigureAwait(false);
            var download = await context.RequestServices.GetRequiredService<AttachmentService>()
                .OpenAsync(user, RouteGuid(context, "attachmentId"), preview, context.RequestAborted).ConfigureAwait(false);
            var info = download.Info;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.CacheControl = "private, no-cache";

            // Only an allowed image is shown in place; everything else is a download under its sanitized name.
            var disposition = new ContentDispositionHeaderValue(download.Inline ? "inline" : "attachment");
            disposition.SetHttpFileName(info.FileName);
            headers.ContentDisposition = disposition.ToString();

            var contentType = info.ContentType == "text/plain" ? "text/plain; charset=utf-8" : info.ContentType;
            result = Results.File(
                download.Content,
                contentType,
                lastModified: download.StoredAt,
                entityTag: new EntityTagHeaderValue('"' + info.Sha256 + '"'),
                enableRangeProcessing: true);
        }
        catch (ChatException refusal)
        {
            result = ChatProblems.Refused(context, refusal);
        }
        catch (Exception ex) when (ChatProblems.IsUnavailable(context, ex))
        {
            result = ChatProblems.Unavailable(context, ex);
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static Guid RouteGuid(HttpContext context, string name) => ChatInput.Guid(context.Request.RouteValues[name] as string, name);

    /// <summary>Builds the download path from the upload path, so it follows whatever prefix the host mapped.</summary>
    private static string DownloadPath(HttpContext context, Guid attachmentId)
    {
        var path = context.Request.Path.Value ?? "";
        var prefix = path[..Math.Max(0, path.LastIndexOf("/conversations/", StringComparison.OrdinalIgnoreCase))];
        return $"{context.Request.PathBase}{prefix}/attachments/{attachmentId}";
    }

    private static ChatException TooLarge(long limit) =>
        new(ChatErrorCode.AttachmentTooLarge, $"The file is larger than the {AttachmentInspector.DescribeBytes(limit)} allowed.");

    private static ChatException Malformed() =>
        new(ChatErrorCode.InvalidArgument, "The multipart/form-data body is malformed.");
}
