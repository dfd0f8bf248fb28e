// A conversation as one user sees it: participants with presence, state banner, live messages with receipts,
// typing indicator, composer with inline errors. Everything a user wrote is rendered as text (textContent), never HTML.
// The chat's client package (@marketplace-chat/client, wwwroot/lib) does the hard parts: messages arrive once and in
// order across reconnects, sends are queued and retried under one id, refusals come with a code.
import { h, clear, avatar } from "../dom.js";
import { t, errorText, systemText, time, dayLabel, onLangChange } from "../i18n.js";
import { attachments } from "./attachments.js";

// Codes after which the composer's permissions are fetched again (the chat's state moved under the user).
const STATE_CODES = ["ChatLocked", "ChatFrozen", "ChatClosed", "DisputeResolved", "ReadOnly"];

export class ConversationView {
  constructor({ client, key, kind, me, people, readOnly = false, label, onSnapshot }) {
    Object.assign(this, { client, key, kind, me, people, readOnly, onSnapshot });
    this.messages = new Map();   // sequence -> message
    this.pending = new Map();    // local id -> { id, text, file, progress, state }
    this.reads = new Map();      // userId -> last read sequence
    this.online = new Set();
    this.typing = new Map();     // userId -> timer
    this.snapshot = null;
    this.subscriptions = [];

    this.participantsEl = h("ul", { class: "participants", "aria-label": t("disputeParties") });
    this.bannerEl = h("div", { class: "chat-banner", hidden: true });
    this.olderButton = h("button", { type: "button", class: "link-button older", hidden: true, on: { click: () => this.#loadOlder() } });
    this.logEl = h("ol", { class: "messages", role: "log", "aria-live": "polite", "aria-label": label ?? t("disputeChat"), "data-role": "messages" });
    this.scrollEl = h("div", { class: "messages-scroll", tabindex: "0" }, this.olderButton, this.logEl);
    this.typingEl = h("div", { class: "typing", "aria-live": "polite" });
    this.errorEl = h("div", { class: "chat-error", role: "alert", hidden: true });
    this.textarea = h("textarea", {
      name: "message", rows: "1", maxlength: "4000", "aria-label": t("composerPlaceholder"),
      on: { keydown: e => this.#onKey(e), input: () => this.#onInput() },
    });
    this.sendButton = h("button", { type: "submit", class: "button primary send" });
    this.fileInput = h("input", { type: "file", name: "attachment", class: "visually-hidden", tabindex: "-1", on: { change: () => this.#attach() } });
    this.attachButton = h("button", { type: "button", class: "button ghost attach", text: "📎", on: { click: () => this.fileInput.click() } });
    this.lockEl = h("p", { class: "composer-lock", hidden: true });
    this.hintEl = h("p", { class: "composer-hint" });
    this.composer = h("form", { class: "composer", on: { submit: e => { e.preventDefault(); this.#send(); } } },
      this.lockEl, h("div", { class: "composer-row" }, attachments.available ? [this.attachButton, this.fileInput] : null, this.textarea, this.sendButton), this.hintEl);
    this.element = h("section", { class: `chat chat-${kind.toLowerCase()}${readOnly ? " chat-readonly" : ""}` },
      this.participantsEl, this.bannerEl, this.scrollEl, this.typingEl, readOnly ? null : this.composer, this.errorEl);

    this.subscriptions.push(onLangChange(() => this.#renderAll()));
    this.onVisible = () => { if (document.visibilityState === "visible") this.#markRead(); };
    document.addEventListener("visibilitychange", this.onVisible);
  }

  get conversationId() { return this.snapshot?.conversationId; }

  async mount() {
    this.conversation = await this.client.join(this.key);
    this.#applySnapshot(this.conversation.snapshot);
    this.#subscribe();
    this.#renderAll();
    this.#scrollToEnd();
    this.#markRead();
  }

  destroy() {
    this.subscriptions.forEach(off => off());
    document.removeEventListener("visibilitychange", this.onVisible);
    for (const timer of this.typing.values()) clearTimeout(timer);
    clearTimeout(this.readTimer);
    this.conversation?.stopTyping();
  }

  #subscribe() {
    const on = (event, fn) => this.subscriptions.push(this.conversation.on(event, fn));
    // Each message once, in sequence order (the snapshot's first, then live and caught-up ones).
    let batch = null;
    on("message", m => {
      // The snapshot's messages come in one go: render once per batch, not once per message.
      if (!batch) { batch = []; queueMicrotask(() => { const list = batch; batch = null; this.#receive(list); }); }
      batch.push(m);
    });
    on("change", m => { this.messages.set(m.sequence, m); this.#renderMessages(); });
    on("readReceipt", r => { this.reads.set(r.userId, Math.max(this.reads.get(r.userId) ?? 0, r.sequence)); this.#renderMessages(); });
    on("presence", p => { p.isOnline ? this.online.add(p.userId) : this.online.delete(p.userId); this.#renderParticipants(); });
    on("typing", n => { if (n.userId !== this.me.id) this.#showTyping(n.userId, n.isTyping); });
    // After a reconnect, a state change or an admin joining: the permissions and participants as they are now.
    on("snapshot", s => { this.#applySnapshot(s); this.#renderAll(); this.#markRead(); });
  }

  async #rejoin() {
    try {
      await this.client.join(this.key);
    } catch (error) {
      this.#showError(error);
    }
  }

  #applySnapshot(snapshot) {
    this.snapshot = snapshot;
    for (const p of snapshot.participants) this.reads.set(p.userId, Math.max(this.reads.get(p.userId) ?? 0, p.lastReadSequence));
    this.online = new Set(snapshot.online);
    this.hasMore = snapshot.hasMoreHistory && !this.olderLoaded;
    this.onSnapshot?.(snapshot);
  }

  #receive(list) {
    const nearEnd = this.scrollEl.scrollHeight - this.scrollEl.scrollTop - this.scrollEl.clientHeight < 80;
    for (const m of list) {
      this.messages.set(m.sequence, m);
      if (m.senderId) this.#showTyping(m.senderId, false);
    }
    this.#renderMessages();
    if (nearEnd || list.some(m => m.senderId === this.me.id)) this.#scrollToEnd();
    this.#markRead();
  }

  #renderAll() {
    this.#renderParticipants();
    this.#renderBanner();
    this.#renderComposer();
    this.#renderMessages();
    this.#renderTyping();
  }

  #person(id) {
    return this.people.get(id) ?? { id, name: id };
  }

  #renderParticipants() {
    if (!this.snapshot) return;
    clear(this.participantsEl);
    for (const p of this.snapshot.participants) {
      const person = this.#person(p.userId);
      const isOnline = this.online.has(p.userId);
      this.participantsEl.append(h("li", { class: "participant", "data-user": p.userId },
        h("span", { class: "avatar-wrap" }, avatar(person, "small"),
          h("span", { class: `presence ${isOnline ? "on" : "off"}`, title: t(isOnline ? "online" : "offline") })),
        h("span", { class: "participant-name" }, person.name, p.userId === this.me.id ? h("span", { class: "muted", text: ` (${t("you")})` }) : null),
        h("span", { class: `role-badge role-${p.role}`, text: t(`role_${p.role}`) }),
        h("span", { class: "visually-hidden", text: `, ${t(isOnline ? "online" : "offline")}` })));
    }
  }

  #renderBanner() {
    const state = this.snapshot?.state;
    const key = this.kind === "Dispute" ? `banner_dispute_${state}` : `banner_${state}`;
    const show = state && t(key) !== key;
    this.bannerEl.hidden = !show;
    this.bannerEl.className = `chat-banner state-${state}`;
    if (show) this.bannerEl.replaceChildren(h("span", { class: "banner-icon", "aria-hidden": "true", text: bannerIcon(state) }), h("span", { text: t(key) }));
  }

  #renderComposer() {
    if (this.readOnly || !this.snapshot) return;
    const write = this.snapshot.permissions?.Write;
    const allowed = write?.allowed === true;
    this.textarea.disabled = !allowed;
    this.sendButton.disabled = !allowed;
    this.attachButton.disabled = !allowed;
    this.attachButton.setAttribute("aria-label", t("attach"));
    this.attachButton.title = t("attach");
    this.sendButton.textContent = t("send");
    this.textarea.placeholder = allowed ? t("composerPlaceholder") : "";
    this.textarea.setAttribute("aria-label", t("composerPlaceholder"));
    this.lockEl.hidden = allowed;
    this.lockEl.replaceChildren(h("span", { "aria-hidden": "true", text: "🔒 " }), h("span", { text: allowed ? "" : errorText(write?.code, write?.reason) }));
    this.lockEl.dataset.code = write?.code ?? "";
    this.hintEl.textContent = allowed ? t("composerHint") : "";
    this.composer.classList.toggle("locked", !allowed);
  }

  #renderMessages() {
    // Edit and deletion entries change a message (MessageChanged and history already show it changed): not bubbles.
    const ordered = [...this.messages.values()].filter(m => m.kind !== "Edit" && m.kind !== "Deletion").sort((a, b) => a.sequence - b.sequence);
    const myLast = [...ordered].reverse().find(m => m.senderId === this.me.id);
    const readByOthers = Math.max(0, ...[...this.reads].filter(([id]) => id !== this.me.id).map(([, seq]) => seq));
    const items = [];
    let previous = null;
    for (const m of ordered) {
      const day = dayLabel(m.sentAt);
      if (!previous || dayLabel(previous.sentAt) !== day) items.push(h("li", { class: "day", role: "separator", text: day }));
      const grouped = previous && previous.senderId === m.senderId && m.kind !== "System" && previous.kind !== "System"
        && new Date(m.sentAt) - new Date(previous.sentAt) < 5 * 60000;
      items.push(this.#messageItem(m, grouped, m === myLast ? (readByOthers >= m.sequence ? "read" : "sent") : null));
      previous = m;
    }
    for (const p of this.pending.values()) items.push(this.#pendingItem(p));
    if (items.length === 0) items.push(h("li", { class: "empty", text: t("noMessages") }));
    this.logEl.replaceChildren(...items);
    this.olderButton.hidden = !this.hasMore;
    this.olderButton.textContent = t("loadOlder");
  }

  #messageItem(m, grouped, receipt) {
    if (m.kind === "Notice") {
      // The marketplace speaking (IChatLifecycle.PostNoticeAsync), not a party: its own style.
      return h("li", { class: "msg notice", "data-seq": m.sequence, "data-code": m.systemCode ?? "" },
        h("span", { class: "notice-badge", text: "🏪" }), h("span", { class: "notice-text", text: m.text ?? "" }),
        h("time", { datetime: m.sentAt, text: time(m.sentAt) }));
    }
    if (m.kind === "System") {
      return h("li", { class: "msg system", "data-seq": m.sequence, "data-code": m.systemCode ?? "" },
        h("span", { class: "system-text", text: systemText(m, this.kind) }), h("time", { datetime: m.sentAt, text: time(m.sentAt) }));
    }
    const mine = m.senderId === this.me.id;
    const person = this.#person(m.senderId);
    const body = m.isDeleted
      ? h("p", { class: "msg-text deleted", text: t("deleted") })
      : h("p", { class: "msg-text", text: m.text ?? "" });
    return h("li", { class: `msg ${mine ? "mine" : "theirs"} role-${m.senderRole}${grouped ? " grouped" : ""}`, "data-seq": m.sequence, "data-sender": m.senderId },
      grouped ? null : h("div", { class: "msg-meta" },
        mine ? null : avatar(person, "tiny"),
        h("span", { class: "msg-author", text: mine ? t("you") : person.name }),
        h("span", { class: `role-badge role-${m.senderRole}`, text: t(`role_${m.senderRole}`) })),
      h("div", { class: "bubble" },
        m.kind === "Image" || m.kind === "File" ? attachments.render(m) : null,
        (m.kind === "Image" || m.kind === "File") && !m.text && !m.isDeleted ? null : body,
        h("span", { class: "msg-foot" },
          h("time", { datetime: m.sentAt, text: time(m.sentAt) }),
          m.editedAt && !m.isDeleted ? h("span", { text: ` · ${t("edited")}` }) : null,
          receipt ? h("span", { class: `receipt ${receipt}`, "data-receipt": receipt, text: receipt === "read" ? ` · ✓✓ ${t("readBy")}` : ` · ✓ ${t("delivered")}` }) : null)));
  }

  #pendingItem(p) {
    const percent = Math.round((p.progress ?? 0) * 100);
    return h("li", { class: `msg mine pending ${p.state}`, "data-pending": p.id },
      h("div", { class: "bubble" },
        p.file ? h("div", { class: "upload" },
          h("span", { class: "upload-name", text: `📎 ${p.file.name}` }),
          p.state === "failed" ? null : h("progress", { max: "100", value: String(percent), "aria-label": t("uploading", { percent }) }),
          p.state === "failed" ? null : h("span", { class: "small", text: t("uploading", { percent }) })) : null,
        p.text ? h("p", { class: "msg-text", text: p.text }) : null,
        h("span", { class: "msg-foot" },
          p.state === "failed"
            ? [h("span", { class: "failed-label", text: `⚠ ${t("failed")} · ` }),
              h("button", { type: "button", class: "link-button", text: t("retry"), on: { click: () => this.#deliver(p) } }),
              h("span", { text: " · " }),
              h("button", { type: "button", class: "link-button", text: t("cancel"), on: { click: () => { this.pending.delete(p.id); this.#renderMessages(); } } })]
            : h("span", { text: t("sending") }))));
  }

  #renderTyping() {
    const names = [...this.typing.keys()].map(id => this.#person(id).name);
    this.typingEl.textContent = names.length === 0 ? "" : names.length === 1 ? t("typing", { name: names[0] }) : t("typingMany");
    this.typingEl.classList.toggle("active", names.length > 0);
  }

  #showTyping(userId, isTyping) {
    clearTimeout(this.typing.get(userId));
    if (isTyping) this.typing.set(userId, setTimeout(() => this.#showTyping(userId, false), 6000));
    else this.typing.delete(userId);
    this.#renderTyping();
  }

  #onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.#send();
    }
  }

  #onInput() {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight, 160)}px`;
    this.#hideError();
    // The client throttles: at most one Typing(true) per interval, Typing(false) once idle.
    if (this.textarea.value.trim()) this.conversation?.typing();
  }

  #send() {
    const text = this.textarea.value.trim();
    if (!text || this.textarea.disabled) return;
    const p = { id: crypto.randomUUID(), text, state: "sending" };
    this.pending.set(p.id, p);
    this.textarea.value = "";
    this.textarea.style.height = "auto";
    this.#renderMessages();
    this.#scrollToEnd();
    this.#deliver(p);
  }

  #attach() {
    const file = this.fileInput.files?.[0];
    this.fileInput.value = "";
    if (!file) return;
    const caption = this.textarea.value.trim();
    this.textarea.value = "";
    const p = { id: crypto.randomUUID(), text: caption, file, progress: 0, state: "sending" };
    this.pending.set(p.id, p);
    this.#scrollToEnd();
    this.#deliver(p);
  }

  async #upload(p) {
    if (p.attachment) return;
    p.attachment = await this.conversation.upload(p.file, {
      onProgress: ({ fraction }) => {
        p.progress = fraction;
        const bar = this.logEl.querySelector(`[data-pending="${p.id}"] progress`);
        if (bar) bar.value = Math.round(fraction * 100);
      },
    });
  }

  // The client queues the send while offline and retries it under one id until stored or refused.
  async #deliver(p) {
    p.state = "sending";
    this.#renderMessages();
    try {
      if (p.file) await this.#upload(p);
      if (p.file) await this.conversation.sendAttachment(p.attachment, p.text || null);
      else await this.conversation.send(p.text);
      this.pending.delete(p.id);
      this.#hideError();
      this.#renderMessages();
    } catch (error) {
      p.state = "failed";
      this.#renderMessages();
      this.#showError(error);
      if (STATE_CODES.includes(error.code)) this.#rejoin();
    }
  }

  #showError({ code, reason }) {
    this.errorEl.hidden = false;
    this.errorEl.dataset.code = code;
    this.errorEl.textContent = errorText(code, reason);
  }

  #hideError() {
    this.errorEl.hidden = true;
    this.errorEl.textContent = "";
  }

  async #loadOlder() {
    const oldest = Math.min(...this.messages.keys());
    try {
      const page = await this.conversation.history(oldest, 50);
      const height = this.scrollEl.scrollHeight;
      for (const m of page.messages) this.messages.set(m.sequence, m);
      this.hasMore = page.hasMore;
      this.olderLoaded = !page.hasMore;
      this.#renderMessages();
      this.scrollEl.scrollTop = this.scrollEl.scrollHeight - height;
    } catch (error) {
      this.#showError(error);
    }
  }

  #markRead() {
    if (this.readOnly || !this.snapshot || document.visibilityState !== "visible") return;
    if (this.snapshot.permissions?.MarkRead?.allowed === false) return;
    const newest = Math.max(this.conversation?.lastSequence ?? 0, ...this.messages.keys());
    if (newest <= (this.reads.get(this.me.id) ?? 0)) return;
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(async () => {
      try {
        await this.conversation.markRead(newest);
        this.reads.set(this.me.id, newest);
      } catch { /* best effort: the next message tries again */ }
    }, 250);
  }

  #scrollToEnd() {
    requestAnimationFrame(() => { this.scrollEl.scrollTop = this.scrollEl.scrollHeight; });
  }
}

function bannerIcon(state) {
  return { PendingPayment: "🔒", Frozen: "🧊", Closed: "📁", Open: "⚖️", UnderReview: "🛡️", Resolved: "✅" }[state] ?? "ℹ️";
}
