/** The server's stable refusal codes (`ChatErrorCode`), as names. */
export type ChatErrorCode =
  | "ConversationNotAvailable" | "ChatLocked" | "ChatFrozen" | "ChatClosed" | "DisputeResolved" | "ReadOnly"
  | "TransitionRefused" | "TransactionUnknown" | "MessageEmpty" | "MessageTooLong" | "MessageIdConflict"
  | "MessageNotFound" | "NotYourMessage" | "EditNotAllowed" | "RateLimited" | "InvalidArgument"
  | "AttachmentTooLarge" | "AttachmentEmpty" | "AttachmentTypeNotAllowed" | "ImageTooLarge" | "ImageMalformed"
  | "ImageTrailingData" | "ActiveContentNotAllowed" | "ArchiveNotAllowed" | "TextNotUtf8" | "AttachmentNotAvailable"
  | "AttachmentAlreadyUsed" | "AuthenticationRequired" | "OriginNotAllowed" | "NotJoined" | "Unavailable"
  | "TooManyConnections" | "QuotaExceeded" | "DocumentMalformed" | "ImageTooManyFrames" | "EvidenceUnverifiable";

/**
 * Codes the client itself produces: `Disconnected` (a call other than a send was made while offline, or the connection
 * dropped during it), `Timeout`, `Cancelled` (an upload was aborted, or the client/conversation was closed with sends
 * still queued), `ServerError` (the server failed without a refusal; SignalR hides the detail) and `NetworkError`
 * (an upload's HTTP request failed).
 */
export type ClientErrorCode = "Disconnected" | "Timeout" | "Cancelled" | "ServerError" | "NetworkError";

/** The refusals that go away by themselves: retried automatically for queued sends. */
const RETRYABLE: ReadonlySet<string> = new Set(["Unavailable", "RateLimited", "Disconnected", "Timeout", "NetworkError"]);

/** A refusal by the server or a failure seen by the client, with a stable code instead of a message to parse. */
export class ChatError extends Error {
  /** The stable code: one of the server's `ChatErrorCode` names or a client code. */
  readonly code: ChatErrorCode | ClientErrorCode;
  /** A sentence safe to show a user (the server's own for refusals). */
  readonly reason: string;
  /** Whether trying again later can succeed (`Unavailable`, `RateLimited`, and the connection codes). */
  readonly retryable: boolean;
  /** The HTTP status, for upload refusals. */
  readonly status?: number;

  constructor(code: ChatErrorCode | ClientErrorCode, reason: string, options?: { cause?: unknown; status?: number }) {
    super(`${code}: ${reason}`);
    this.name = "ChatError";
    this.code = code;
    this.reason = reason;
    this.retryable = RETRYABLE.has(code);
    if (options?.status !== undefined) this.status = options.status;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }

  /** Whether this is a refusal by the server (as opposed to a connection or client failure). */
  get isRefusal(): boolean {
    return !["Disconnected", "Timeout", "Cancelled", "ServerError", "NetworkError"].includes(this.code);
  }
}

// The server's HubException text ends with "Code: reason"; SignalR prefixes it with
// "An unexpected error occurred invoking 'Send' on the server. HubException: ".
const HUB_REFUSAL = /HubException: ([A-Za-z]+): ([\s\S]*)$/;
const CONNECTION_GONE = /connection being closed|connection is not in the 'Connected' State|connection was stopped|Server timeout|WebSocket closed|underlying connection|before the invocation could be completed/i;

/** Turns whatever a SignalR invocation rejected with into a ChatError. */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const refusal = HUB_REFUSAL.exec(message);
  if (refusal) return new ChatError(refusal[1] as ChatErrorCode, refusal[2]!, { cause: error });
  if (error instanceof Error && (error.name === "TimeoutError" || /timed out/i.test(message))) {
    return new ChatError("Timeout", message, { cause: error });
  }
  if (CONNECTION_GONE.test(message)) return new ChatError("Disconnected", message, { cause: error });
  return new ChatError("ServerError", message, { cause: error });
}
