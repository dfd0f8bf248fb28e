using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Sample.Data;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>A listing on the home page.</summary>
public sealed record ListingDto(string Id, string Title, string Description, int PriceCents, string Emoji, string Color, string SellerId, string SellerName, bool IsMine);

/// <summary>Someone's public name.</summary>
public sealed record Person(string Id, string Name, bool IsAdmin);

/// <summary>The chat of an order as the list shows it.</summary>
public sealed record ChatSummary(Guid ConversationId, ChatState State, int Unread, ChatMessage? LastMessage);

/// <summary>An order in the user's list.</summary>
public sealed record OrderSummary(
    string Id, string Title, string Emoji, string Color, int AmountCents, OrderStatus Status, string Role, Person Counterpart,
    DateTimeOffset CreatedAt, ChatSummary? Chat, string? OpenDisputeId);

/// <summary>An order with its parties, what the user may do now, and its disputes.</summary>
public sealed record OrderDetail(OrderSummary Order, Person Buyer, Person Seller, IReadOnlyList<string> Actions, IReadOnlyList<DisputeRef> Disputes);

/// <summary>A dispute of an order.</summary>
public sealed record DisputeRef(string Id, string Status, DisputeOutcome? Outcome);

/// <summary>A dispute with its order and people.</summary>
public sealed record DisputeDto(
    string Id, string OrderId, string Title, string Emoji, string Color, int AmountCents, Person Buyer, Person Seller, Person OpenedBy,
    string Reason, Person? AssignedAdmin, string Status, DisputeOutcome? Outcome, string? ResolutionNote, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt);

/// <summary>Opens a dispute.</summary>
public sealed record OpenDisputeRequest(string? Reason);

/// <summary>Resolves a dispute.</summary>
public sealed record ResolveDisputeRequest(DisputeOutcome Outcome, string? Note);
