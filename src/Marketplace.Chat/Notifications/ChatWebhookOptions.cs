namespace Marketplace.Chat.Notifications;

/// <summary>Configures the built-in webhook handler.</summary>
public sealed class ChatWebhookOptions
{
    /// <summary>Gets or sets the URL notifications are POSTed to.</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets or sets the shared secret of the HMAC-SHA256 signature (at least 16 characters).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Gets or sets the timeout of one POST. Defaults to 5 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
