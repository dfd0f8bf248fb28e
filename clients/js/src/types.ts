// The server's wire contract (JSON over SignalR and HTTP). Enums travel as names.

/** What a log entry carries. `Edit`, `Deletion` and `Notice` come with the append-only log; older servers send only the first four. */
export type ChatMessageKind = "Text" | "Image" | "File" | "System" | "Edit" | "Deletion" | "Notice";

/** A participant's role in a conversation. */
export type ParticipantRole = "Buyer" | "Seller" | "Admin";

/** How the signed-in user relates to a conversation. */
export type ChatRelation = "Outsider" | "Buyer" | "Seller" | "Admin";

/** Transaction chat: PendingPayment, Open, Frozen, Closed. Dispute chat: Open, UnderReview, Resolved. */
export type ChatState = "PendingPayment" | "Open" | "Frozen" | "Closed" | "UnderReview" | "Resolved";

/** A transaction chat or a dispute chat. */
export type ConversationKind = "Transaction" | "Dispute";

/** Something a user may or may not do in a conversation. */
export type ChatAction = "Read" | "Write" | "EditOwn" | "DeleteOwn" | "MarkRead" | "Typing";

/** Whether an action is allowed now and, if not, why (a stable code and a sentence safe to show). */
export interface AccessDecision {
  allowed: boolean;
  code: string | null;
  reason: string | null;
}

/** What an uploaded attachment is. */
export interface ChatAttachmentInfo {
  id: string;
  kind: "Image" | "File";
  fileName: string;
  contentType: string;
  length: number;
  width: number | null;
  height: number | null;
  sha256: string;
  metadataRemoved: boolean;
  /** The small re-encoded, upright copy of an image (GET {prefix}/attachments/{id}/preview); null for files and older uploads. */
  preview?: ChatAttachmentPreview | null;
}

/** The preview of an image attachment: no metadata, upright, bounded on its long side. */
export interface ChatAttachmentPreview {
  contentType: string;
  width: number;
  height: number;
  length: number;
}

/** One entry of a conversation's log, as a party sees it. Text is plain text: render it escaped, never as HTML. */
export interface ChatMessage {
  id: string;
  conversationId: string;
  /** Gap-free position in the conversation, from 1. */
  sequence: number;
  kind: ChatMessageKind;
  senderId: string | null;
  senderRole: ParticipantRole | null;
  /** The current text (for an Edit entry: the new text); null once deleted and for Deletion entries. */
  text: string | null;
  systemCode: string | null;
  sentAt: string;
  editedAt: string | null;
  isDeleted: boolean;
  hash: string;
  attachmentId: string | null;
  attachment?: ChatAttachmentInfo | null;
  /** Edit/Deletion entries: the message they change. */
  targetId?: string | null;
  targetSequence?: number | null;
  /** Host notices: their parameters. */
  parameters?: Record<string, string> | null;
}

/** A participant with their read position. */
export interface ChatParticipantInfo {
  userId: string;
  role: ParticipantRole;
  lastReadSequence: number;
}

/** What `Join` returns: the conversation as the user sees it now. */
export interface ChatSnapshot {
  conversationId: string;
  kind: ConversationKind;
  transactionId: string;
  disputeId: string | null;
  state: ChatState;
  stateExplanation: string;
  yourRole: ChatRelation;
  participants: ChatParticipantInfo[];
  permissions: Partial<Record<ChatAction, AccessDecision>>;
  lastSequence: number;
  lastReadSequence: number;
  unreadCount: number;
  /** The newest page; the client hands it to you oldest first. */
  messages: ChatMessage[];
  hasMoreHistory: boolean;
  online: string[];
}

/** One page of history. */
export interface ChatHistoryPage {
  messages: ChatMessage[];
  hasMore: boolean;
}

/** A lifecycle transition, pushed the moment the host reports it. */
export interface ConversationStateChanged {
  conversationId: string;
  kind: ConversationKind;
  from: ChatState | null;
  to: ChatState;
  trigger: string;
  explanation: string;
  occurredAt: string;
}

/** Someone started or stopped typing. */
export interface TypingNotice {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}

/** Someone read up to a sequence. */
export interface ReadReceipt {
  conversationId: string;
  userId: string;
  sequence: number;
}

/** Someone came online or went offline in a conversation. */
export interface PresenceChanged {
  conversationId: string;
  userId: string;
  isOnline: boolean;
}

/** Someone (an administrator) joined a conversation. */
export interface ParticipantJoined {
  conversationId: string;
  userId: string;
  role: ParticipantRole;
}

/** A stored notification of the signed-in user. */
export interface ChatNotification {
  id: string;
  number: number;
  recipientId: string;
  kind: string;
  conversationId: string;
  conversationKind: ConversationKind;
  transactionId: string;
  disputeId: string | null;
  messageId: string | null;
  sequence: number | null;
  actorId: string | null;
  preview: string;
  createdAt: string;
  isRead: boolean;
}

/** A new notification with the user's unread count. */
export interface NotificationPush {
  notification: ChatNotification;
  unreadCount: number;
}

/** The user's unread notification count after marking read. */
export interface NotificationCount {
  unreadCount: number;
}
