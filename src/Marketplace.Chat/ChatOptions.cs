using Marketplace.Chat.Attachments;
using Marketplace.Chat.Notifications;

namespace Marketplace.Chat;

/// <summary>Configures the chat's rules. Validated when the host starts.</summary>
public sealed class ChatOptions
{
    /// <summary>Gets or sets the longest message text, in UTF-16 code units, after control characters are removed. Defaults to 4,000.</summary>
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Gets or sets how long after sending an author may edit or delete a message in an open transaction chat. Defaults to 15 minutes; zero disables edits.</summary>
    public TimeSpan EditWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets the largest page of history one request returns. Defaults to 100.</summary>
    public int MaxHistoryPageSize { get; set; } = 100;

    /// <summary>Gets or sets the role (as in <c>ClaimsPrincipal.IsInRole</c>) that marks marketplace administrators. Defaults to <c>Admin</c>.</summary>
    public string AdminRole { get; set; } = "Admin";

    /// <summary>
    /// Gets or sets the claim that holds the user id on HTTP requests (uploads, downloads, inbox). Defaults to
    /// <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>, which SignalR's default user id provider reads;
    /// a host with a custom <c>IUserIdProvider</c> sets the claim that provider reads, so hubs and endpoints agree.
    /// </summary>
    public string UserIdClaimType { get; set; } = System.Security.Claims.ClaimTypes.NameIdentifier;

    /// <summary>Gets or sets an authorization policy that marks administrators instead of <see cref="AdminRole"/>, when set.</summary>
    public string? AdminPolicy { get; set; }

    /// <summary>Gets or sets how many times a lifecycle trigger is re-evaluated after losing a race with another trigger. Defaults to 5.</summary>
    public int MaxTransitionAttempts { get; set; } = 5;

    /// <summary>Gets or sets how many messages one user may send per second, on average (same as <c>Limits.Sends.PerSecond</c>). Defaults to 5.</summary>
    public double MaxSendsPerSecond { get => Limits.Sends.PerSecond; set => Limits.Sends.PerSecond = value; }

    /// <summary>Gets or sets how many messages one user may send in a burst before <see cref="MaxSendsPerSecond"/> applies (same as <c>Limits.Sends.Burst</c>). Defaults to 20.</summary>
    public int SendBurst { get => Limits.Sends.Burst; set => Limits.Sends.Burst = value; }

    /// <summary>Gets the per-user budgets of every hub method and endpoint, and the connection caps.</summary>
    public Limits.ChatLimitOptions Limits { get; } = new();

    /// <summary>Gets or sets the largest SignalR message the chat hubs accept, in bytes. Defaults to 64 KiB.</summary>
    public long MaxHubMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Gets the web origins (e.g. <c>https://shop.example</c>) allowed to open chat connections besides the site's own.
    /// A browser connection from any other origin is refused, so a hostile page cannot ride on the user's cookies.
    /// </summary>
    public ISet<string> AllowedOrigins { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the shortest interval between two typing notices a connection relays per conversation. Defaults to 1 second.</summary>
    public TimeSpan TypingThrottle { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many of the newest messages <c>Join</c> returns. Defaults to 50.</summary>
    public int SnapshotPageSize { get; set; } = 50;

    /// <summary>
    /// Gets or sets whether the chat raises the ASP.NET Core hosting log category to Warning, because its
    /// "Request starting" lines would record the <c>access_token</c> a browser WebSocket carries in its URL.
    /// Defaults to true; turn it off only when the host redacts those lines itself.
    /// </summary>
    public bool KeepTokensOutOfRequestLogs { get; set; } = true;

    /// <summary>
    /// Gets or sets how long administrators keep read access to a transaction chat as evidence after its dispute was
    /// resolved (while a dispute is open they always have it; a chat never disputed is never theirs). Defaults to 7 days;
    /// zero ends the access at the resolution.
    /// </summary>
    public TimeSpan AdminEvidenceAccessAfterResolution { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets how notifications are dispatched to handlers.</summary>
    public ChatNotificationOptions Notifications { get; } = new();

    /// <summary>Gets the attachment rules: size limits, allowed types, storage folder and how long unsent uploads are kept.</summary>
    public AttachmentOptions Attachments { get; } = new();
}
