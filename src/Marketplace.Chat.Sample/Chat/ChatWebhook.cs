using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marketplace.Chat.Notifications;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Sample.Chat;

/// <summary>Switches the chat's built-in webhook on (configuration section <c>Sample:Webhook</c>).</summary>
public sealed class SampleWebhookOptions
{
    /// <summary>Gets or sets whether the chat posts every notification to <see cref="Url"/>. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets where notifications go; by default the sample's own receiver, <c>{first server URL}/webhooks/chat</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets or sets the shared secret; a random one per start when not configured.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Gets or sets how old a delivery the receiver still accepts. Defaults to 5 minutes.</summary>
    public TimeSpan Tolerance { get; set; } = ChatWebhookSignature.DefaultTolerance;
}

/// <summary>One delivery the sample's receiver accepted.</summary>
/// <param name="Delivery">The <c>X-Chat-Delivery</c> id (the notification id, the same on a retry).</param>
/// <param name="Kind">The notification kind.</param>
/// <param name="RecipientId">Whom it is for.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="Repeat">Whether the same delivery had arrived before (a retry: de-duplicate by the id).</param>
public sealed record WebhookDelivery(string Delivery, string? Kind, string? RecipientId, DateTimeOffset ReceivedAt, bool Repeat);

/// <summary>The newest deliveries the receiver accepted, for <c>GET /api/admin/webhook-deliveries</c>.</summary>
public sealed class WebhookDeliveries
{
    private const int Keep = 100;
    private readonly ConcurrentQueue<WebhookDelivery> _recent = new();
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    /// <summary>Gets the newest deliveries, newest first.</summary>
    public IReadOnlyList<WebhookDelivery> Recent => _recent.Reverse().ToList();

    /// <summary>Records a delivery and tells whether its id was seen before.</summary>
    public WebhookDelivery Add(string delivery, string? kind, string? recipientId, DateTimeOffset at)
    {
        var entry = new WebhookDelivery(delivery, kind, recipientId, at, !_seen.TryAdd(delivery, true));
        _recent.Enqueue(entry);
        while (_recent.Count > Keep && _recent.TryDequeue(out _))
        {
        }

        return entry;
    }
}

/// <summary>
/// The chat's built-in webhook, switched on by configuration, and a small receiver that verifies each delivery's signature
/// with the library's <see cref="ChatWebhookSignature"/> and logs it, so a person can watch notifications arrive.
/// </summary>
public static partial class ChatWebhook
{
    /// <summary>The receiver's path.</summary>
    public const string ReceiverPath = "/webhooks/chat";

    /// <summary>Adds the webhook handler when <c>Sample:Webhook:Enabled</c> is true.</summary>
    public static ChatBuilder AddSampleWebhook(this ChatBuilder chat, IConfiguration configuration)
    {
        var section = configuration.GetSection("Sample:Webhook");
        var secret = section["Secret"] is { Length: >= 16 } configured ? configured : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        chat.Services.AddOptions<SampleWebhookOptions>().Bind(section).Configure(o =>
        {
            o.Secret = secret;
            o.Url ??= new Uri(FirstServerUrl(configuration) + ReceiverPath);
        });
        chat.Services.AddSingleton<WebhookDeliveries>();
        if (section.GetValue("Enabled", false))
        {
            chat.AddWebhookNotifications(w =>
            {
                w.Secret = secret;
                w.Url = section.GetValue<Uri?>("Url") ?? new Uri(FirstServerUrl(configuration) + ReceiverPath);
            });
        }

        return chat;
    }

    /// <summary>Maps the receiver (anonymous, as webhooks are; the signature is the authentication) when the webhook is on.</summary>
    public static void MapSampleWebhook(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<SampleWebhookOptions>>().Value.Enabled)
        {
            return;
        }

        app.MapPost(ReceiverPath, ReceiveAsync).AllowAnonymous();
        app.MapGet("/api/admin/webhook-deliveries", (WebhookDeliveries deliveries) => deliveries.Recent)
            .RequireAuthorization(Hosting.SiteSetup.AdminPolicy);
    }

    private static async Task<IResult> ReceiveAsync(
        HttpRequest request, IOptions<SampleWebhookOptions> options, WebhookDeliveries deliveries, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(ChatWebhook));
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var o = options.Value;
        if (!ChatWebhookSignature.Verify(o.Secret, body, request.Headers[ChatWebhookSignature.TimestampHeader], request.Headers[ChatWebhookSignature.SignatureHeader], clock.GetUtcNow(), o.Tolerance))
        {
            LogRefused(logger);
            return Problems.Refuse(StatusCodes.Status401Unauthorized, "BadSignature", "The webhook signature does not match, or the delivery is too old.");
        }

        using var json = JsonDocument.Parse(body);
        var kind = json.RootElement.TryGetProperty("kind", out var k) ? k.GetString() : null;
        var recipient = json.RootElement.TryGetProperty("recipientId", out var r) ? r.GetString() : null;
        var delivery = deliveries.Add(request.Headers[ChatWebhookSignature.DeliveryHeader].ToString(), kind, recipient, clock.GetUtcNow());
        LogDelivered(logger, delivery.Delivery, kind, recipient, delivery.Repeat);
        return Results.Ok();
    }

    private static string FirstServerUrl(IConfiguration configuration) =>
        (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://localhost:5080")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]
            .Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .TrimEnd('/');

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat webhook delivery {Delivery}: {Kind} for {RecipientId}, signature valid (repeat: {Repeat}).")]
    private static partial void LogDelivered(ILogger logger, string delivery, string? kind, string? recipientId, bool repeat);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat webhook delivery refused: the signature does not match or the delivery is too old.")]
    private static partial void LogRefused(ILogger logger);
}
