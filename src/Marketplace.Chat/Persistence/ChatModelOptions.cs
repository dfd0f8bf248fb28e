namespace Marketplace.Chat.Persistence;

/// <summary>Chooses where the chat's tables live in the host's database.</summary>
public sealed class ChatModelOptions
{
    /// <summary>Gets or sets the database schema of the chat tables; <see langword="null"/> uses the context's default schema.</summary>
    public string? Schema { get; set; }

    /// <summary>Gets or sets the prefix of every chat table name. Defaults to <c>chat_</c>.</summary>
    public string TablePrefix { get; set; } = "chat_";
}
