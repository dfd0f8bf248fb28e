using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Notifications;

/// <summary>
/// POSTs each notification as JSON to the configured URL. Headers: <c>X-Chat-Delivery</c> (the notification id,
/// the same on every retry), <c>X-Chat-Timestamp</c> (Unix seconds) and <c>X-Chat-Signature</c>:
/// <c>sha256=</c> + hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c> with the shared secret. A non-2xx answer is a
/// failure: the dispatcher retries with back-off and records the failure after the allowed attempts.
/// </summary>
internal sealed class WebhookNotificationHandler(IHttpClientFactory clients, IOptions<ChatWebhookOptions> options, TimeProvider clock)
    : IChatNotificationHandler
{
    public const string ClientName = "Marketplace.Chat.Webhook";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var body = JsonSerializer.Serialize(notification, Json);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(ChatWebhookSignature.DeliveryHeader, notification.Id.ToString());
        request.Headers.Add(ChatWebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(ChatWebhookSignature.SignatureHeader, ChatWebhookSignature.Sign(o.Secret, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.Timeout);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The webhook answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
    }
}
