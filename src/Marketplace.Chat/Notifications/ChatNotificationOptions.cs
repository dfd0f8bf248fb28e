namespace Marketplace.Chat.Notifications;

/// <summary>Configures how notifications are dispatched.</summary>
public sealed class ChatNotificationOptions
{
    /// <summary>Gets or sets whether this process dispatches notifications to handlers. Defaults to true; every node may.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>Gets or sets how often the dispatcher looks for work when nothing woke it. Defaults to 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long one handler may take for one notification. Defaults to 10 seconds.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many times a handler is tried before its failure is recorded and it gives up. Defaults to 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Gets or sets the first retry delay; it doubles on each failure. Defaults to 2 seconds.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how many notifications the dispatcher takes at once. Defaults to 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Gets or sets the longest preview, in characters. Defaults to 120.</summary>
    public int PreviewLength { get; set; } = 120;

    /// <summary>Gets or sets how long a notification may wait for dispatch before the health check reports Degraded. Defaults to 5 minutes.</summary>
    public TimeSpan BacklogWarning { get; set; } = TimeSpan.FromMinutes(5);
}
