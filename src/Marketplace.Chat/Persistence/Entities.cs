using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Persistence;

/// <summary>A transaction or dispute conversation; its row carries the state, the sequence counter and the concurrency token.</summary>
internal sealed class ConversationRecord
{
    public Guid Id { get; set; }

    /// <summary>Unique natural key: <c>tx:{transactionId}</c> or <c>dispute:{disputeId}</c>, so re-registration is idempotent.</summary>
    public string Key { get; set; } = "";

    public ConversationKind Kind { get; set; }

    public string TransactionId { get; set; } = "";

    public string? DisputeId { get; set; }

    /// <summary>For dispute chats: the transaction chat the dispute is about.</summary>
    public Guid? TransactionConversationId { get; set; }

    public ChatState State { get; set; }

    public DisputeOutcome? Outcome { get; set; }

    public string BuyerId { get; set; } = "";

    public string SellerId { get; set; } = "";

    /// <summary>The head of the log: the sequence of the newest entry, incremented under the row lock by every append.</summary>
    public long LastSequence { get; set; }

    /// <summary>The head of the log: the hash of the newest entry, so a truncated tail is detected.</summary>
    public string LastHash { get; set; } = "";

    /// <summary>Bumped by every state change; the concurrency token of the row.</summary>
    public int Version { get; set; }

    /// <summary>For transaction chats: whether a dispute was ever opened (admins may read it as evidence).</summary>
    public bool HasDispute { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A user's membership of a conversation and read position.</summary>
internal sealed class ParticipantRecord
{
    public Guid ConversationId { get; set; }

    public string UserId { get; set; } = "";

    public ParticipantRole Role { get; set; }

    public long LastReadSequence { get; set; }

    public DateTimeOffset JoinedAt { get; set; }
}

/// <summary>One entry of the transition log.</summary>
internal sealed class TransitionRecord
{
    public long Id { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary>Null for the creation of the conversation.</summary>
    public ChatState? FromState { get; set; }

    public ChatState ToState { get; set; }

    /// <summary>The trigger name, or <c>Registered</c>/<c>Created</c> for creation.</summary>
    public string Trigger { get; set; } = "";

    public string? ActorId { get; set; }

    /// <summary>The host's event id, when given: a redelivered event with the same id changes nothing.</summary>
    public string? EventId { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
}
