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

    /// <summary>Gets or sets an authorization policy that marks administrators instead of <see cref="AdminRole"/>, when set.</summary>
    public string? AdminPolicy { get; set; }

    /// <summary>Gets or sets how many times a lifecycle trigger is re-evaluated after losing a race with another trigger. Defaults to 5.</summary>
    public int MaxTransitionAttempts { get; set; } = 5;
}
