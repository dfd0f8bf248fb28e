import {
  HttpTransportType, HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel, type ILogger, type IHttpConnectionOptions,
} from "@microsoft/signalr";
import { ChatError, toChatError } from "./errors.js";
import { Emitter, type Listener } from "./emitter.js";
import { SequenceOrder } from "./ordering.js";
import { uploadFile, type UploadBody, type UploadOptions } from "./upload.js";
import type {
  ChatAttachmentInfo, ChatHistoryPage, ChatMessage, ChatSnapshot, ConversationStateChanged, NotificationCount, NotificationPush,
  ParticipantJoined, PresenceChanged, ReadReceipt, TypingNotice,
} from "./types.js";

/** How to reach and authenticate against one chat hub. */
export interface ChatClientOptions {
  /**
   * The hub's URL: `{prefix}/transactions` or `{prefix}/disputes`, absolute or (in browsers) relative to the page,
   * e.g. "/chat/transactions". Uploads go to the same prefix.
   */
  url: string;
  /** Bearer token for the hub (sent as `?access_token=` on WebSockets) and as `Authorization` on uploads. Omit for cookies. */
  accessTokenFactory?: () => string | Promise<string>;
  /** Sends cookies on cross-origin requests (same-origin requests always carry them). Defaults to true. */
  withCredentials?: boolean;
  /** Extra HTTP headers (Node only for WebSockets, e.g. a Cookie header). */
  headers?: Record<string, string>;
  /** Waits between reconnect attempts, in ms; the last one repeats until it connects. Defaults to [0, 1000, 2000, 5000, 10000]. */
  reconnectDelays?: number[];
  /** How long an out-of-order arrival may wait for the entries before it before they are fetched. Defaults to 150 ms. */
  gapFillDelayMs?: number;
  /** History page size for gap-fill (the server caps it at `MaxHistoryPageSize`). Defaults to 100. */
  historyPageSize?: number;
  /** Timeout of every call other than queued sends. Defaults to 30 s. */
  callTimeoutMs?: number;
  /** Most `Typing(true)` calls per conversation: one per this interval. Defaults to 2500 ms. */
  typingIntervalMs?: number;
  /** After this long without `typing()`, `Typing(false)` is sent. Defaults to 3000 ms. */
  typingIdleMs?: number;
  /** A SignalR logger or minimum level. Defaults to warnings. */
  logger?: ILogger | LogLevel;
  /** Restricts SignalR transports (e.g. `HttpTransportType.WebSockets`). */
  transport?: HttpTransportType;
}

/** The connection as the application should show it. */
export type ConnectionStatus = "disconnected" | "connecting" | "connected" | "reconnecting";

/** Events of the client as a whole. */
export interface ChatClientEvents {
  /** The connection's status changed. */
  status: ConnectionStatus;
  /** A notification for the signed-in user, with their unread count. */
  notification: NotificationPush;
  /** The signed-in user's unread notification count changed. */
  notificationCount: NotificationCount;
  /** Something failed in the background (a rejoin, a gap-fill); the client keeps trying. */
  error: { conversation?: Conversation; error: ChatError };
}

/** Events of one joined conversation. */
export interface ConversationEvents {
  /** Each displayable entry (text, image, file, system, notice) exactly once, in sequence order. */
  message: ChatMessage;
  /** A message's new projection after an edit or deletion (live, or replayed after a reconnect). */
  change: ChatMessage;
  /** Every log entry exactly once in sequence order, Edit and Deletion entries included. */
  entry: ChatMessage;
  /** A fresh snapshot (after a reconnect, a state change or a participant joining): state, permissions, participants. */
  snapshot: ChatSnapshot;
  /** The lifecycle moved; `snapshot` carries the permissions as they are now. */
  stateChanged: { change: ConversationStateChanged; snapshot: ChatSnapshot };
  typing: TypingNotice;
  presence: PresenceChanged;
  readReceipt: ReadReceipt;
  participantJoined: ParticipantJoined;
  /** A queued send failed in a way that passes (connection lost, `RateLimited`, `Unavailable`) and will be tried again under the same id. */
  retrying: { clientMessageId: string; error: ChatError; attempt: number };
}

/** Options of one send. */
export interface SendOptions {
  /**
   * Whether retryable refusals (`RateLimited`, `Unavailable`) are retried with back-off (the default) or reject at once.
   * A lost connection is always waited out: the send stays queued under its id.
   */
  retryRefusals?: boolean;
}

const DEFAULT_DELAYS = [0, 1000, 2000, 5000, 10000];
const DISPLAYED = (kind: string) => kind !== "Edit" && kind !== "Deletion";
const ORPHAN_LIMIT = 2000;

/**
 * One SignalR connection to a chat hub with automatic reconnect. Join conversations through it; after every reconnect
 * it joins them again, fills what was missed and resumes queued sends.
 */
export class ChatClient {
  /** The underlying SignalR connection (for diagnostics; do not call its methods for chat operations). */
  readonly connection: HubConnection;
  readonly #options: Required<Pick<ChatClientOptions, "gapFillDelayMs" | "historyPageSize" | "callTimeoutMs" | "typingIntervalMs" | "typingIdleMs">> & ChatClientOptions;
  readonly #events = new Emitter<ChatClientEvents>();
  readonly #byKey = new Map<string, Conversation>();
  readonly #byId = new Map<string, Conversation>();
  // Live entries for a conversation whose Join is still running (the group is joined before the snapshot is read).
  readonly #orphans: ChatMessage[] = [];
  #status: ConnectionStatus = "disconnected";
  #stopped = false;
  #epoch = 0;
  #connectedWaiters: Array<() => void> = [];
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ChatClientOptions) {
    this.#options = {
      gapFillDelayMs: 150, historyPageSize: 100, callTimeoutMs: 30_000, typingIntervalMs: 2500, typingIdleMs: 3000, ...options,
    };
    const delays = options.reconnectDelays?.length ? options.reconnectDelays : DEFAULT_DELAYS;
    const http: IHttpConnectionOptions = {
      withCredentials: options.withCredentials ?? true,
      ...(options.accessTokenFactory ? { accessTokenFactory: options.accessTokenFactory } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.transport !== undefined ? { transport: options.transport } : {}),
    };
    this.connection = new HubConnectionBuilder()
      .withUrl(options.url, http)
      // Never gives up: a chat tab stays usable after a long outage.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (c) => delays[Math.min(c.previousRetryCount, delays.length - 1)]! })
      .configureLogging(options.logger ?? LogLevel.Warning)
      .build();

    const c = this.connection;
    c.on("MessageReceived", (m: ChatMessage) => this.#route(m.conversationId, (x) => x._received(m), m));
    c.on("MessageChanged", (m: ChatMessage) => this.#route(m.conversationId, (x) => x._changed(m)));
    c.on("StateChanged", (s: ConversationStateChanged) => this.#route(s.conversationId, (x) => x._stateChanged(s)));
    c.on("Typing", (t: TypingNotice) => this.#route(t.conversationId, (x) => x._emit("typing", t)));
    c.on("Presence", (p: PresenceChanged) => this.#route(p.conversationId, (x) => x._presence(p)));
    c.on("ReadReceipt", (r: ReadReceipt) => this.#route(r.conversationId, (x) => x._readReceipt(r)));
    c.on("ParticipantJoined", (p: ParticipantJoined) => this.#route(p.conversationId, (x) => x._participantJoined(p)));
    c.on("Notification", (n: NotificationPush) => this.#events.emit("notification", n));
    c.on("NotificationCountChanged", (n: NotificationCount) => this.#events.emit("notificationCount", n));
    c.onreconnecting(() => {
      this.#epoch++;
      this.#setStatus("reconnecting");
    });
    c.onreconnected(() => this.#connected());
    c.onclose(() => {
      this.#epoch++;
      this.#setStatus("disconnected");
      this.#scheduleRestart();
    });
  }

  /** The connection's status now. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The options the client was built with. @internal */
  get _options() {
    return this.#options;
  }

  /** Which connection the client is on (changes on every reconnect). @internal */
  get _epoch(): number {
    return this.#epoch;
  }

  /** Subscribes to a client event; returns the unsubscribe function. */
  on<K extends keyof ChatClientEvents>(event: K, listener: Listener<ChatClientEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Connects. Rejects with a ChatError when the first attempt fails, and keeps trying in the background
   * (status "reconnecting") unless the server refused the user (`AuthenticationRequired`) or {@link stop} was called.
   */
  async start(): Promise<void> {
    this.#stopped = false;
    if (this.connection.state !== HubConnectionState.Disconnected) return this.whenConnected();
    this.#setStatus("connecting");
    try {
      await this.connection.start();
    } catch (error) {
      const failure = toChatError(error);
      this.#setStatus("disconnected");
      if (failure.code !== "AuthenticationRequired" && !/\b401\b/.test(failure.reason)) this.#scheduleRestart();
      throw failure;
    }
    await this.#connected();
  }

  /** Closes the connection; queued sends of every conversation reject with `Cancelled`. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    for (const conversation of [...this.#byKey.values()]) conversation._close();
    this.#byKey.clear();
    this.#byId.clear();
    await this.connection.stop();
  }

  /** Resolves once the connection is up (immediately when it is). */
  whenConnected(): Promise<void> {
    if (this.connection.state === HubConnectionState.Connected) return Promise.resolve();
    return new Promise((resolve) => this.#connectedWaiters.push(resolve));
  }

  /**
   * Joins a conversation by the host's id (transaction id on the transaction hub, dispute id on the dispute hub) and
   * subscribes to it. Resolves once the snapshot is in; joining the same key again returns the same conversation
   * with a fresh snapshot.
   */
  async join(key: string): Promise<Conversation> {
    const existing = this.#byKey.get(key);
    if (existing) {
      await existing._sync();
      return existing;
    }
    const conversation = new Conversation(this, key);
    this.#byKey.set(key, conversation);
    try {
      await conversation._sync();
    } catch (error) {
      this.#byKey.delete(key);
      throw error;
    }
    return conversation;
  }

  /** The joined conversation of a host key, if any. */
  conversation(key: string): Conversation | undefined {
    return this.#byKey.get(key);
  }

  /**
   * Invokes a hub method the client does not wrap (a host's own, or a newer server's), with the client's timeout;
   * failures reject with a ChatError.
   */
  invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    return this._invoke<T>(method, ...args);
  }

  /** Invokes a hub method with the client's timeout, turning failures into ChatErrors. @internal */
  async _invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.connection.state !== HubConnectionState.Connected) {
      throw new ChatError("Disconnected", "The chat is not connected.");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ChatError("Timeout", `${method} did not answer within ${this.#options.callTimeoutMs} ms.`)),
        this.#options.callTimeoutMs);
    });
    try {
      return await Promise.race([this.connection.invoke<T>(method, ...args), timeout]);
    } catch (error) {
      throw toChatError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Invokes without a timeout: for queued sends, which the connection's own timeout ends. @internal */
  async _invokeQueued<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.connection.state !== HubConnectionState.Connected) {
      throw new ChatError("Disconnected", "The chat is not connected.");
    }
    try {
      return await this.connection.invoke<T>(method, ...args);
    } catch (error) {
      throw toChatError(error);
    }
  }

  /** Records the conversation id a Join returned and hands over live entries that came before it. @internal */
  _identified(conversation: Conversation, conversationId: string): ChatMessage[] {
    this.#byId.set(conversationId, conversation);
    const mine: ChatMessage[] = [];
    for (let i = this.#orphans.length - 1; i >= 0; i--) {
      if (this.#orphans[i]!.conversationId === conversationId) mine.unshift(...this.#orphans.splice(i, 1));
    }
    return mine;
  }

  /** Forgets a conversation the application left. @internal */
  _forget(conversation: Conversation): void {
    this.#byKey.delete(conversation.key);
    if (conversation.conversationId) this.#byId.delete(conversation.conversationId);
  }

  /** Reports a background failure. @internal */
  _error(conversation: Conversation | undefined, error: ChatError): void {
    if (error.code === "Disconnected" || this.#stopped) return; // the reconnect catches up
    this.#events.emit("error", conversation ? { conversation, error } : { error });
  }

  /** The URL of the attachment endpoint of a conversation. @internal */
  _uploadUrl(conversationId: string): string {
    const url = this.#options.url;
    const cut = url.replace(/[?#].*$/, "").replace(/\/+$/, "");
    const prefix = cut.slice(0, cut.lastIndexOf("/"));
    return `${prefix}/conversations/${encodeURIComponent(conversationId)}/attachments`;
  }

  #route(conversationId: string, action: (conversation: Conversation) => void, orphan?: ChatMessage): void {
    const conversation = this.#byId.get(conversationId);
    if (conversation) {
      action(conversation);
    } else if (orphan && [...this.#byKey.values()].some((x) => x._joining)) {
      this.#orphans.push(orphan);
      if (this.#orphans.length > ORPHAN_LIMIT) this.#orphans.shift();
    }
  }

  async #connected(): Promise<void> {
    this.#epoch++;
    this.#setStatus("connected");
    const waiters = this.#connectedWaiters;
    this.#connectedWaiters = [];
    waiters.forEach((resolve) => resolve());
    await Promise.all([...this.#byKey.values()].map((conversation) => conversation._resume()));
  }

  #scheduleRestart(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    const delays = this.#options.reconnectDelays?.length ? this.#options.reconnectDelays : DEFAULT_DELAYS;
    this.#retryTimer = setTimeout(async () => {
      if (this.#stopped || this.connection.state !== HubConnectionState.Disconnected) return;
      this.#setStatus("reconnecting");
      try {
        await this.connection.start();
        await this.#connected();
      } catch {
        this.#setStatus("disconnected");
        this.#scheduleRestart();
      }
    }, delays[delays.length - 1]);
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#events.emit("status", status);
  }
}

interface QueuedSend {
  id: string;
  invoke: (conversationId: string) => Promise<ChatMessage>;
  resolve: (message: ChatMessage) => void;
  reject: (error: ChatError) => void;
  attempts: number;
  retryRefusals: boolean;
}

/**
 * A joined conversation. Every entry reaches the `message`/`entry` listeners exactly once and in sequence order, from
 * the first snapshot on, across reconnects; entries delivered before the first listener subscribes are kept for it.
 */
export class Conversation {
  /** The host's id the conversation was joined by (transaction or dispute id). */
  readonly key: string;
  readonly #client: ChatClient;
  readonly #events = new Emitter<ConversationEvents>();
  #snapshot: ChatSnapshot | undefined;
  #order: SequenceOrder | undefined;
  readonly #known = new Map<string, ChatMessage>();
  readonly #changesAhead = new Map<string, ChatMessage>();
  readonly #undelivered: Array<[keyof ConversationEvents, unknown]> = [];
  #joinedEpoch = -1;
  #joining = false;
  #syncing: Promise<void> | undefined;
  #syncEpoch = -1;
  #filling: Promise<void> | undefined;
  #fillAgain = false;
  #gapTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #outbox: QueuedSend[] = [];
  #pumping = false;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  #typingSentAt = 0;
  #typingIdle: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #resumeAttempts = 0;
  #resumeTimer: ReturnType<typeof setTimeout> | undefined;
  #fillAttempts = 0;

  /** @internal */
  constructor(client: ChatClient, key: string) {
    this.#client = client;
    this.key = key;
  }

  /** The latest snapshot (state, permissions, participants, online users). */
  get snapshot(): ChatSnapshot {
    if (!this.#snapshot) throw new Error("The conversation has not been joined yet.");
    return this.#snapshot;
  }

  /** The conversation's id (from the snapshot). */
  get conversationId(): string {
    return this.#snapshot?.conversationId ?? "";
  }

  /** The highest sequence up to which every entry has been delivered. */
  get lastSequence(): number {
    return this.#order?.contiguous ?? 0;
  }

  /** How many sends wait for an acknowledgement. */
  get pendingSends(): number {
    return this.#outbox.length;
  }

  /** @internal */
  get _joining(): boolean {
    return this.#joining;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ConversationEvents>(event: K, listener: Listener<ConversationEvents[K]>): () => void {
    const off = this.#events.on(event, listener);
    if (event === "message" || event === "entry" || event === "change") this.#flushUndelivered();
    return off;
  }

  /**
   * Sends a text. The client message id is generated here and kept: the send is queued while disconnected and retried
   * under the same id until the server stores it (resolves with the stored message) or refuses it (rejects with a
   * ChatError). `Unavailable` and `RateLimited` are retried.
   */
  send(text: string, options?: SendOptions): Promise<ChatMessage> {
    this.stopTyping();
    return this.#enqueue((id, conversationId) => this.#client._invokeQueued<ChatMessage>("Send", conversationId, id, text), options);
  }

  /** Sends an uploaded attachment (its id or the upload's result) with an optional caption, queued and retried like {@link send}. */
  sendAttachment(attachment: string | ChatAttachmentInfo, caption?: string | null, options?: SendOptions): Promise<ChatMessage> {
    const attachmentId = typeof attachment === "string" ? attachment : attachment.id;
    return this.#enqueue((id, conversationId) =>
      this.#client._invokeQueued<ChatMessage>("SendAttachment", conversationId, id, attachmentId, caption ?? null), options);
  }

  /**
   * Uploads a file to the conversation (multipart POST to `{prefix}/conversations/{id}/attachments`) with progress and
   * cancellation: XMLHttpRequest in browsers, a streamed fetch body in Node. Resolves with what the server stored.
   */
  upload(file: UploadBody, options?: UploadOptions): Promise<ChatAttachmentInfo> {
    const o = this.#client._options;
    return uploadFile(this.#client._uploadUrl(this.conversationId), file, {
      ...(o.accessTokenFactory ? { accessTokenFactory: o.accessTokenFactory } : {}),
      withCredentials: o.withCredentials ?? true,
      headers: o.headers ?? {},
    }, options);
  }

  /** Uploads a file, then sends it with an optional caption. */
  async sendFile(file: UploadBody, options?: UploadOptions & { caption?: string | null }): Promise<ChatMessage> {
    const info = await this.upload(file, options);
    return this.sendAttachment(info, options?.caption);
  }

  /** Edits one of your own messages (open transaction chats, within the edit window). */
  async edit(messageId: string, text: string): Promise<ChatMessage> {
    const changed = await this.#client._invoke<ChatMessage>("Edit", this.conversationId, messageId, text);
    this._changed(changed);
    return changed;
  }

  /** Deletes one of your own messages (open transaction chats, within the edit window). */
  async delete(messageId: string): Promise<ChatMessage> {
    const changed = await this.#client._invoke<ChatMessage>("Delete", this.conversationId, messageId);
    this._changed(changed);
    return changed;
  }

  /**
   * Reads older history for scrolling back (newest first), outside the ordered stream: entries before the first
   * snapshot never arrive as `message` events.
   */
  history(beforeSequence: number, limit = 50): Promise<ChatHistoryPage> {
    return this.#client._invoke<ChatHistoryPage>("History", this.conversationId, beforeSequence, null, limit);
  }

  /**
   * The log as written, for administrators of a disputed transaction chat or a dispute chat (hub method `Evidence`):
   * originals of edited entries, texts of deleted ones and the chain's verdict. Others are refused.
   */
  evidence<T = unknown>(): Promise<T> {
    return this.#client._invoke<T>("Evidence", this.conversationId);
  }

  /** Marks everything up to a sequence (default: everything delivered) as read; resolves with the unread count. */
  markRead(sequence: number = this.lastSequence): Promise<number> {
    return this.#client._invoke<number>("MarkRead", this.conversationId, sequence);
  }

  /**
   * Says the user is typing. Call it on every keystroke: at most one `Typing(true)` goes out per `typingIntervalMs`,
   * and `Typing(false)` follows `typingIdleMs` after the last call (or on send).
   */
  typing(): void {
    const o = this.#client._options;
    const now = Date.now();
    if (now - this.#typingSentAt >= o.typingIntervalMs) {
      this.#typingSentAt = now;
      this.#client._invoke("Typing", this.conversationId, true).catch(() => { /* presence hints are best effort */ });
    }
    clearTimeout(this.#typingIdle);
    this.#typingIdle = setTimeout(() => this.stopTyping(), o.typingIdleMs);
  }

  /** Says the user stopped typing (only if a `Typing(true)` went out). */
  stopTyping(): void {
    clearTimeout(this.#typingIdle);
    if (!this.#typingSentAt) return;
    this.#typingSentAt = 0;
    this.#client._invoke("Typing", this.conversationId, false).catch(() => { /* best effort */ });
  }

  /** Leaves the conversation: no more events; queued sends reject with `Cancelled`. */
  async leave(): Promise<void> {
    const id = this.conversationId;
    this._close();
    this.#client._forget(this);
    if (id) await this.#client._invoke("Leave", id).catch(() => { /* the connection may be gone */ });
  }

  /** Joins (again) and catches up: the snapshot's entries, then history after the contiguous sequence. @internal */
  _sync(fresh = false): Promise<void> {
    const epoch = this.#client._epoch;
    // A join already under way on this connection will do, unless the caller needs one that starts after an event.
    if (this.#syncing && this.#syncEpoch === epoch && !fresh) return this.#syncing;
    // A sync begun on an earlier connection is finished (or failed) first, then this one joins the current connection.
    const next = (this.#syncing ?? Promise.resolve()).catch(() => undefined).then(() => this.#doSync());
    this.#syncing = next;
    this.#syncEpoch = epoch;
    next.then(() => { if (this.#syncing === next) this.#syncing = undefined; }, () => { if (this.#syncing === next) this.#syncing = undefined; });
    return next;
  }

  /** After a reconnect: join again, catch up, resume sends. @internal */
  async _resume(): Promise<void> {
    try {
      await this._sync();
      this.#resumeAttempts = 0;
    } catch (error) {
      const failure = toChatError(error);
      // A refusal that passes (RateLimited: the server's Join/History budgets; Unavailable): try again with back-off.
      // A lost connection needs nothing here: the reconnect resumes.
      if (failure.retryable && failure.code !== "Disconnected" && !this.#closed) {
        clearTimeout(this.#resumeTimer);
        this.#resumeTimer = setTimeout(() => void this._resume(), backoff(++this.#resumeAttempts));
      }
      // Refused for good (no longer a participant, conversation gone): queued sends can never go out.
      if (failure.isRefusal && !failure.retryable) {
        for (const item of this.#outbox.splice(0)) item.reject(failure);
      }
      this.#client._error(this, failure);
    }
  }

  /** @internal */
  _received(entry: ChatMessage): void {
    if (!this.#order || this.#closed) return;
    if (this.#order.accept(entry) === "held") this.#scheduleFill();
  }

  /** A message's new projection (MessageChanged, an Edit/Delete answer, a newer snapshot copy). @internal */
  _changed(message: ChatMessage): void {
    if (this.#closed) return;
    const previous = this.#known.get(message.id);
    if (!previous && message.sequence > this.lastSequence) {
      // The message itself has not been delivered yet: deliver it with this projection when it comes.
      this.#changesAhead.set(message.id, message);
      return;
    }
    if (previous && sameProjection(previous, message)) return;
    this.#known.set(message.id, message);
    this.#deliver("change", message);
  }

  /** @internal */
  async _stateChanged(change: ConversationStateChanged): Promise<void> {
    try {
      await this._sync(true); // permissions as they are after the transition, not from a join begun before it
      this.#events.emit("stateChanged", { change, snapshot: this.snapshot });
    } catch (error) {
      this.#client._error(this, toChatError(error));
    }
  }

  /** @internal */
  _presence(presence: PresenceChanged): void {
    if (this.#snapshot) {
      const online = new Set(this.#snapshot.online);
      if (presence.isOnline) online.add(presence.userId); else online.delete(presence.userId);
      this.#snapshot = { ...this.#snapshot, online: [...online] };
    }
    this.#events.emit("presence", presence);
  }

  /** @internal */
  _readReceipt(receipt: ReadReceipt): void {
    if (this.#snapshot) {
      this.#snapshot = {
        ...this.#snapshot,
        participants: this.#snapshot.participants.map((p) =>
          p.userId === receipt.userId ? { ...p, lastReadSequence: Math.max(p.lastReadSequence, receipt.sequence) } : p),
      };
    }
    this.#events.emit("readReceipt", receipt);
  }

  /** @internal */
  async _participantJoined(joined: ParticipantJoined): Promise<void> {
    this.#events.emit("participantJoined", joined);
    try {
      await this._sync(true);
    } catch (error) {
      this.#client._error(this, toChatError(error));
    }
  }

  /** @internal */
  _emit<K extends keyof ConversationEvents>(event: K, payload: ConversationEvents[K]): void {
    this.#events.emit(event, payload);
  }

  /** @internal */
  _close(): void {
    this.#closed = true;
    clearTimeout(this.#gapTimer);
    clearTimeout(this.#pumpTimer);
    clearTimeout(this.#typingIdle);
    clearTimeout(this.#resumeTimer);
    for (const item of this.#outbox.splice(0)) item.reject(new ChatError("Cancelled", "The conversation was closed before the message was sent."));
  }

  async #doSync(): Promise<void> {
    await this.#client.whenConnected();
    const epoch = this.#client._epoch;
    this.#joining = true;
    let snapshot: ChatSnapshot;
    try {
      snapshot = await this.#client._invoke<ChatSnapshot>("Join", this.key);
    } finally {
      this.#joining = false;
    }
    if (this.#closed) return;
    const early = this.#client._identified(this, snapshot.conversationId);
    const entries = [...snapshot.messages].sort((a, b) => a.sequence - b.sequence);
    if (!this.#order) {
      // The first snapshot starts the stream at its oldest entry; older history is for scrolling back.
      const start = entries.length ? entries[0]!.sequence - 1 : snapshot.lastSequence;
      this.#order = new SequenceOrder(start, (entry) => this.#accepted(entry));
    }
    this.#snapshot = { ...snapshot, messages: entries };
    this.#joinedEpoch = epoch;
    for (const entry of entries) {
      if (entry.sequence <= this.#order.contiguous) {
        // Already delivered: a newer projection means it was edited or deleted meanwhile (older servers push no Edit entries).
        if (DISPLAYED(entry.kind) && this.#known.has(entry.id)) this._changed(entry);
      } else {
        this.#order.accept(entry);
      }
    }
    for (const entry of early) this.#order.accept(entry);
    this.#events.emit("snapshot", this.#snapshot);
    if (this.#filling) await this.#filling.catch(() => undefined); // it may have run on the previous connection
    await this.#fill();
    this.#pump();
  }

  #accepted(entry: ChatMessage): void {
    this.#deliver("entry", entry);
    if (entry.kind === "Edit" || entry.kind === "Deletion") {
      const target = entry.targetId ? this.#known.get(entry.targetId) : undefined;
      if (target) {
        this._changed(entry.kind === "Edit"
          ? { ...target, text: entry.text, editedAt: entry.sentAt }
          : { ...target, text: null, isDeleted: true, attachment: null });
      }
      return;
    }
    const ahead = this.#changesAhead.get(entry.id);
    this.#changesAhead.delete(entry.id);
    const current = ahead ?? entry;
    this.#known.set(current.id, current);
    this.#deliver("message", current);
  }

  #deliver(event: "message" | "entry" | "change", payload: ChatMessage): void {
    if (this.#undelivered.length > 0 || !this.#events.has(event)) {
      this.#undelivered.push([event, payload]);
      this.#flushUndelivered();
      return;
    }
    this.#events.emit(event, payload);
  }

  // Keeps entries until someone listens: a listener attached after `await join()` still sees the snapshot's entries.
  #flushUndelivered(): void {
    while (this.#undelivered.length > 0) {
      const [event, payload] = this.#undelivered[0]!;
      if (!this.#events.has(event)) {
        // Nobody will ever take "entry" or "change" if only "message" is listened to: skip those, keep waiting for "message".
        if (this.#events.has("message") || this.#events.has("entry")) {
          this.#undelivered.shift();
          continue;
        }
        return;
      }
      this.#undelivered.shift();
      this.#events.emit(event, payload as ChatMessage);
    }
  }

  #scheduleFill(delay = this.#client._options.gapFillDelayMs): void {
    if (this.#gapTimer !== undefined || this.#closed) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = undefined;
      this.#fill().then(() => { this.#fillAttempts = 0; }, (error) => {
        const failure = toChatError(error);
        // RateLimited (the History budget) or Unavailable: the gap is still there, fill it a little later.
        if (failure.retryable && failure.code !== "Disconnected") this.#scheduleFill(backoff(++this.#fillAttempts));
        this.#client._error(this, failure);
      });
    }, delay);
  }

  // History after the contiguous sequence, page by page; one fill at a time, repeated if asked for meanwhile.
  #fill(): Promise<void> {
    if (this.#filling) {
      this.#fillAgain = true;
      return this.#filling;
    }
    this.#filling = (async () => {
      try {
        do {
          this.#fillAgain = false;
          let page: ChatHistoryPage;
          do {
            page = await this.#client._invoke<ChatHistoryPage>(
              "History", this.conversationId, null, this.lastSequence, this.#client._options.historyPageSize);
            for (const entry of page.messages) this.#order!.accept(entry);
          } while (page.hasMore && page.messages.length > 0 && !this.#closed);
        } while (this.#fillAgain && !this.#closed);
      } finally {
        this.#filling = undefined;
      }
      if (this.#order!.heldCount > 0) this.#scheduleFill();
    })();
    return this.#filling;
  }

  #enqueue(invoke: (id: string, conversationId: string) => Promise<ChatMessage>, options?: SendOptions): Promise<ChatMessage> {
    if (this.#closed) return Promise.reject(new ChatError("Cancelled", "The conversation was left."));
    const id = newId();
    return new Promise<ChatMessage>((resolve, reject) => {
      this.#outbox.push({
        id, invoke: (conversationId) => invoke(id, conversationId), resolve, reject, attempts: 0, retryRefusals: options?.retryRefusals ?? true,
      });
      this.#pump();
    });
  }

  // One send in flight at a time per conversation, so a user's own messages keep the order they were written in.
  async #pump(): Promise<void> {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    try {
      while (this.#outbox.length > 0 && !this.#closed) {
        if (this.#joinedEpoch !== this.#client._epoch || this.#client.status !== "connected") return; // _resume pumps again
        const item = this.#outbox[0]!;
        item.attempts++;
        try {
          const stored = await item.invoke(this.conversationId);
          this.#outbox.shift();
          this._received(stored);
          item.resolve(stored);
        } catch (error) {
          const failure = toChatError(error);
          if (failure.code === "Disconnected" || failure.code === "NotJoined") {
            // Retried after the reconnect (or the rejoin), under the same id: a send the server stored before the
            // connection dropped is answered with the stored message, not stored twice.
            this.#events.emit("retrying", { clientMessageId: item.id, error: failure, attempt: item.attempts });
            if (failure.code === "NotJoined") {
              this.#joinedEpoch = -1;
              void this._resume();
            }
            return;
          }
          const retry = failure.code === "ServerError" ? item.attempts < 3 : failure.retryable && item.retryRefusals;
          if (retry) {
            this.#events.emit("retrying", { clientMessageId: item.id, error: failure, attempt: item.attempts });
            this.#pumpTimer = setTimeout(() => void this.#pump(), backoff(item.attempts));
            return;
          }
          this.#outbox.shift();
          item.reject(failure);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}

/** 500 ms, doubling, at most 10 s. */
function backoff(attempt: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempt - 1), 10_000);
}

function sameProjection(a: ChatMessage, b: ChatMessage): boolean {
  return a.text === b.text && a.isDeleted === b.isDeleted && a.editedAt === b.editedAt
    && (a.attachment?.id ?? null) === (b.attachment?.id ?? null);
}

function newId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
