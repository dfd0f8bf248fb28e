using System.Text.Json.Serialization;

namespace Marketplace.Chat;

/// <summary>
/// Identifies why the chat refused a request. The names are stable: clients may switch on them,
/// and they travel unchanged in <c>HubException</c> messages and ProblemDetails responses.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatErrorCode>))]
public enum ChatErrorCode
{
    /// <summary>The conversation does not exist or the caller is not allowed to see it (the two are never told apart).</summary>
    ConversationNotAvailable = 1,

    /// <summary>The transaction chat is waiting for payment; only system messages are posted.</summary>
    ChatLocked,

    /// <summary>The transaction chat is frozen as evidence while a dispute is open.</summary>
    ChatFrozen,

    /// <summary>The conversation is closed and kept as read-only history.</summary>
    ChatClosed,

    /// <summary>The dispute has been resolved; its chat is read-only until it is reopened.</summary>
    DisputeResolved,

    /// <summary>The caller may read this conversation but not write to it.</summary>
    ReadOnly,

    /// <summary>A lifecycle trigger is not permitted in the conversation's current state.</summary>
    TransitionRefused,

    /// <summary>The host did not recognise the transaction or dispute.</summary>
    TransactionUnknown,

    /// <summary>The message has no visible text.</summary>
    MessageEmpty,

    /// <summary>The message is longer than the configured limit.</summary>
    MessageTooLong,

    /// <summary>The client message id is already used by a different message.</summary>
    MessageIdConflict,

    /// <summary>The message does not exist in this conversation.</summary>
    MessageNotFound,

    /// <summary>Only the author of a message may edit or delete it.</summary>
    NotYourMessage,

    /// <summary>The edit or delete window of the message has passed, or the state forbids changes.</summary>
    EditNotAllowed,

    /// <summary>The caller sends faster than the configured rate limit allows.</summary>
    RateLimited,

    /// <summary>A request argument is missing or malformed.</summary>
    InvalidArgument,

    /// <summary>The attachment is larger than the limit for its kind.</summary>
    AttachmentTooLarge,

    /// <summary>The attachment is empty.</summary>
    AttachmentEmpty,

    /// <summary>The attachment's content is not of an allowed type (its name and declared type are ignored).</summary>
    AttachmentTypeNotAllowed,

    /// <summary>The image declares more pixels than the configured cap.</summary>
    ImageTooLarge,

    /// <summary>The image is truncated or its structure is malformed.</summary>
    ImageMalformed,

    /// <summary>The image carries data after its end marker (a polyglot file).</summary>
    ImageTrailingData,

    /// <summary>The document contains macros or active content.</summary>
    ActiveContentNotAllowed,

    /// <summary>The archive expands past the inspection bound, or is malformed.</summary>
    ArchiveNotAllowed,

    /// <summary>The text file is not valid UTF-8.</summary>
    TextNotUtf8,

    /// <summary>The attachment does not exist, is not the caller's, or belongs to another conversation.</summary>
    AttachmentNotAvailable,

    /// <summary>The attachment is already referenced by a message.</summary>
    AttachmentAlreadyUsed,

    /// <summary>The caller is not authenticated.</summary>
    AuthenticationRequired,

    /// <summary>The connection comes from a web origin that is not allowed (cross-site WebSocket hijacking).</summary>
    OriginNotAllowed,

    /// <summary>The conversation was not joined on this connection; call Join first.</summary>
    NotJoined,

    /// <summary>The chat cannot reach its database or another service right now; the same call may succeed if retried.</summary>
    Unavailable,

    /// <summary>The user has as many open chat connections as allowed, or this connection joined as many conversations as allowed.</summary>
    TooManyConnections,

    /// <summary>The user or the conversation has used its attachment storage or in-flight upload allowance.</summary>
    QuotaExceeded,

    /// <summary>The document could not be parsed, so its content could not be checked.</summary>
    DocumentMalformed,

    /// <summary>The animated image has more frames or total pixels than allowed.</summary>
    ImageTooManyFrames,

    /// <summary>The conversation log does not verify, so no evidence bundle can be signed for it.</summary>
    EvidenceUnverifiable,
}
