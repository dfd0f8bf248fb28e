namespace Marketplace.Chat.Limits;

/// <summary>Names a per-user allowance: every hub method and HTTP endpoint draws from one of these.</summary>
public enum ChatBudget
{
    /// <summary>Text and attachment messages (<c>Send</c>, <c>SendAttachment</c>); a retry of a stored message is never charged.</summary>
    Send,

    /// <summary>Edits and deletions of one's own messages.</summary>
    Edit,

    /// <summary>Typing notices, on top of the per-conversation <c>TypingThrottle</c>.</summary>
    Typing,

    /// <summary>Read positions (<c>MarkRead</c>).</summary>
    Read,

    /// <summary>Joining conversations (<c>Join</c> on either hub).</summary>
    Join,

    /// <summary>History pages (<c>History</c>).</summary>
    History,

    /// <summary>The notification inbox and chat list endpoints.</summary>
    Notifications,

    /// <summary>Attachment uploads over HTTP.</summary>
    Upload,

    /// <summary>Attachment downloads over HTTP (images shown in place included).</summary>
    Download,
}
