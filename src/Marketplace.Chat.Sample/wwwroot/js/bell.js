// The notifications bell: the library's inbox (GET /chat/notifications, unread count, mark read) with live updates
// pushed to the user's own SignalR channel (Notification, NotificationCountChanged) on a connection of its own.
import { h, clear } from "./dom.js";
import { t, shortDate } from "./i18n.js";
import { api } from "./api.js";
import { ChatClient } from "/lib/marketplace-chat-client.js";

let hub = null;
let count = 0;
const listeners = new Set();

export function mountBell(slot, { navigate }) {
  const badge = h("span", { class: "bell-badge", "data-count": "0", hidden: true });
  const button = h("button", { type: "button", class: "bell", "aria-haspopup": "true", "aria-expanded": "false", "aria-label": t("bell") },
    h("span", { "aria-hidden": "true", text: "🔔" }), badge);
  const panel = h("div", { class: "bell-panel card", role: "dialog", "aria-label": t("bell"), hidden: true });
  const wrap = h("div", { class: "bell-wrap" }, button, panel);
  slot.replaceChildren(wrap);

  const show = n => {
    badge.hidden = n === 0;
    badge.dataset.count = String(n);
    badge.textContent = n > 99 ? "99+" : String(n);
    button.setAttribute("aria-label", n ? `${t("bell")} (${n})` : t("bell"));
  };
  show(count);
  listeners.add(show);

  const close = () => { panel.hidden = true; button.setAttribute("aria-expanded", "false"); };
  const open = async () => {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    clear(panel).append(h("p", { class: "muted small pad-s", text: t("loading") }));
    const page = await api.get("/chat/notifications?limit=12");
    const list = h("ul", { class: "bell-list" });
    for (const n of page.notifications) {
      const target = n.conversationKind === "Dispute" ? `/disputes/${n.disputeId}` : `/orders/${n.transactionId}`;
      list.append(h("li", {},
        h("a", {
          href: target, class: `bell-item${n.isRead ? "" : " unread"}`, "data-kind": n.kind,
          on: {
            click: async e => {
              e.preventDefault();
              close();
              if (!n.isRead) await api.post(`/chat/notifications/${n.number}/read`).then(r => setCount(r.unreadCount)).catch(() => {});
              navigate(target);
            },
          },
        },
          h("span", { class: "bell-item-top" }, h("strong", { text: t(`notif_${n.kind}`) }), h("time", { class: "muted small", text: shortDate(n.createdAt) })),
          h("span", { class: "bell-preview", text: n.preview }))));
    }
    clear(panel).append(
      h("div", { class: "bell-head" }, h("strong", { text: t("bell") }),
        h("button", { type: "button", class: "link-button small", text: t("markAllRead"), on: { click: async () => { const r = await api.post("/chat/notifications/read-all"); setCount(r.unreadCount); close(); } } })),
      page.notifications.length ? list : h("p", { class: "muted small pad-s", text: t("bellEmpty") }));
  };
  button.addEventListener("click", () => (panel.hidden ? open() : close()));
  wrap.addEventListener("keydown", e => { if (e.key === "Escape") { close(); button.focus(); } });
  document.addEventListener("click", e => { if (!wrap.contains(e.target)) close(); });
  return () => listeners.delete(show);
}

function setCount(n) {
  count = n;
  listeners.forEach(fn => fn(n));
}

// One connection per signed-in tab, kept across page changes; the library pushes to every connection of the user.
export async function startNotifications() {
  if (hub) return;
  hub = new ChatClient({ url: "/chat/transactions" });
  hub.on("notification", push => setCount(push.unreadCount));
  hub.on("notificationCount", c => setCount(c.unreadCount));
  hub.on("status", status => { if (status === "connected") refresh(); });
  try { await hub.start(); } catch { /* retries on its own */ }
  await refresh();
}

export async function stopNotifications() {
  await hub?.stop();
  hub = null;
  setCount(0);
}

async function refresh() {
  try { setCount((await api.get("/chat/notifications/unread-count")).unreadCount); } catch { /* offline */ }
}
