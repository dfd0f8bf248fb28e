namespace Marketplace.Chat.DependencyInjection;

/// <summary>Proves <c>AddMarketplaceChat</c> was called, so mapping can fail early with the fix.</summary>
internal sealed class ChatMarkerService;

/// <summary>Records which DbContext stores the chat.</summary>
internal sealed record ChatStoreRegistration(Type ContextType);
