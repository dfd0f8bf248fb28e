using Marketplace.Chat.Evidence;
using Marketplace.Chat.Hubs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Marketplace.Chat.Routing;

/// <summary>
/// <c>GET disputes/{disputeId}/evidence</c> under the chat prefix: the dispute's signed evidence bundle (ZIP), for
/// administrators. Everyone else, and an unknown dispute, get the same <c>404 ConversationNotAvailable</c>.
/// </summary>
internal static class ChatEvidenceEndpoints
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/disputes/{disputeId}/evidence", ExportAsync);

    private static async Task ExportAsync(HttpContext context, string disputeId)
    {
        var services = context.RequestServices;
        await using var bundle = EvidenceScratch.Create("out");
        ChatEvidenceExport export;
        try
        {
            var user = await services.GetRequiredService<ChatUserResolver>().ResolveAsync(context).ConfigureAwait(false);
            export = await services.GetRequiredService<IChatEvidenceExport>()
                .ExportDisputeAsync(disputeId, user, bundle, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ChatException refusal)
        {
            await ChatProblems.WriteAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        bundle.Position = 0;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/zip";
        response.ContentLength = bundle.Length;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = export.FileName }.ToString();
        response.Headers["X-Evidence-Key-Fingerprint"] = export.SigningKeyFingerprint;
        await bundle.CopyToAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
