// One SignalR connection to a chat hub, with the README's reconnect recipe: join again, then fill the gap by sequence.
// Pages subscribe to events; every joined conversation is rejoined and gap-filled after a reconnect.
const signalR = window.signalR;

export const CALL_TIMEOUT_MS = 15000;

// "HubException: ChatLocked: The chat unlocks ..." -> { code, reason }
export function refusal(error) {
  const match = /HubException: (\w+): (.*)$/s.exec(error?.message ?? "");
  if (match) return { code: match[1], reason: match[2] };
  if (error?.name === "TimeoutError" || /timed out/i.test(error?.message ?? "")) return { code: "Timeout", reason: error.message };
  return { code: "Unknown", reason: error?.message ?? String(error) };
}

export class ChatHub {
  #connection;
  #handlers = new Map();
  #joined = new Map(); // key -> { conversationId, lastSequence }
  #stopped = false;
  #retryTimer = null;
  status = "connecting";

  constructor(path) {
    this.path = path;
    this.#connection = new signalR.HubConnectionBuilder()
      .withUrl(path)
      .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 15000])
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    for (const event of ["MessageReceived", "MessageChanged", "Typing", "ReadReceipt", "StateChanged", "Presence", "ParticipantJoined", "Notification", "NotificationCountChanged"]) {
      this.#connection.on(event, payload => {
        if (event === "MessageReceived") this.#seen(payload);
        this.#emit(event, payload);
      });
    }
    this.#connection.onreconnecting(() => this.#setStatus("reconnecting"));
    this.#connection.onreconnected(() => this.#resume());
    this.#connection.onclose(() => {
      this.#setStatus("offline");
      this.#scheduleRestart();
    });
    this.onOnline = () => this.#scheduleRestart(0);
    window.addEventListener("online", this.onOnline);
  }

  on(event, handler) {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event).add(handler);
    return () => this.#handlers.get(event)?.delete(handler);
  }

  async start() {
    this.#setStatus("connecting");
    await withTimeout(this.#connection.start(), CALL_TIMEOUT_MS);
    this.#setStatus("connected");
  }

  // Joins a conversation by its host id (transaction or dispute id) and remembers it for reconnects.
  async join(key) {
    const snapshot = await this.invoke("Join", key);
    const known = this.#joined.get(key);
    this.#joined.set(key, { conversationId: snapshot.conversationId, lastSequence: Math.max(known?.lastSequence ?? 0, snapshot.lastSequence) });
    return snapshot;
  }

  invoke(method, ...args) {
    if (this.#connection.state !== signalR.HubConnectionState.Connected) {
      return Promise.reject(Object.assign(new Error("HubException: Offline: not connected"), { offline: true }));
    }
    return withTimeout(this.#connection.invoke(method, ...args), CALL_TIMEOUT_MS);
  }

  async stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    window.removeEventListener("online", this.onOnline);
    await this.#connection.stop();
  }

  #seen(message) {
    for (const entry of this.#joined.values()) {
      if (entry.conversationId === message.conversationId) entry.lastSequence = Math.max(entry.lastSequence, message.sequence);
    }
  }

  async #resume() {
    this.#setStatus("connected");
    for (const [key, entry] of this.#joined) {
      try {
        const snapshot = await this.invoke("Join", key);
        this.#emit("Rejoined", { key, snapshot });
        let page;
        do {
          page = await this.invoke("History", entry.conversationId, null, entry.lastSequence, 100);
          for (const message of page.messages) {
            this.#seen(message);
            this.#emit("MessageReceived", message);
          }
        } while (page.hasMore && page.messages.length > 0);
      } catch (error) {
        this.#emit("Error", { key, error: refusal(error) });
      }
    }
  }

  #scheduleRestart(delay = 5000) {
    if (this.#stopped || this.#connection.state !== signalR.HubConnectionState.Disconnected) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(async () => {
      try {
        await this.start();
        await this.#resume();
      } catch {
        this.#setStatus("offline");
        this.#scheduleRestart();
      }
    }, delay);
  }

  #setStatus(status) {
    this.status = status;
    this.#emit("Status", status);
  }

  #emit(event, payload) {
    for (const handler of this.#handlers.get(event) ?? []) {
      try { handler(payload); } catch (error) { console.error(error); }
    }
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`The call timed out after ${ms} ms`), { name: "TimeoutError" })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
