// The buyer's and seller's chats: the list of their orders (unread badges, last message) and the open conversation.
import { h, clear } from "../dom.js";
import { t, price, shortDate, systemText, errorText } from "../i18n.js";
import { api, ApiError } from "../api.js";
import { loadPeople } from "../session.js";
import { ChatClient } from "/lib/marketplace-chat-client.js";
import { ConversationView } from "../chat/conversation.js";

export const name = "orders";
const LIVE_LIST_LIMIT = 15;

export async function render(main, [orderId], { me, navigate, toast, trackHub }) {
  const [orders, people] = await Promise.all([api.get("/api/orders"), loadPeople()]);
  const client = new ChatClient({ url: "/chat/transactions" });
  const untrack = trackHub(client);
  const byConversation = new Map(orders.filter(o => o.chat).map(o => [o.chat.conversationId, o]));
  let view = null;

  const listEl = h("ul", { class: "chat-items" });
  const pane = h("section", { class: "chat-pane", "aria-label": t("ordersTitle") });
  const layout = h("div", { class: `page chat-layout${orderId ? " has-selection" : ""}` },
    h("aside", { class: "chat-list" }, h("h1", { class: "chat-list-title", text: t("ordersTitle") }), listEl),
    pane);
  main.append(layout);

  const renderList = () => {
    clear(listEl);
    if (orders.length === 0) {
      listEl.append(h("li", { class: "empty-state" }, h("p", { text: t("noOrders") }), h("a", { href: "/", class: "button primary", "data-link": true, text: t("browseListings") })));
    }
    for (const o of orders) {
      const last = o.chat?.lastMessage;
      const preview = !last ? "" : last.kind === "System" ? systemText(last, "Transaction")
        : `${last.senderId === me.id ? `${t("you")} : ` : ""}${last.isDeleted ? t("deleted") : last.text ?? ""}`;
      const thumb = h("span", { class: "thumb", "aria-hidden": "true", text: o.emoji });
      thumb.style.background = o.color;
      const unread = o.chat?.unread ?? 0;
      listEl.append(h("li", {},
        h("a", { href: `/orders/${o.id}`, class: `chat-item${o.id === orderId ? " active" : ""}`, "data-link": true, "data-order": o.id, "aria-current": o.id === orderId ? "true" : null },
          thumb,
          h("span", { class: "chat-item-main" },
            h("span", { class: "chat-item-top" },
              h("strong", { class: "chat-item-title", text: o.title }),
              h("time", { class: "muted small", text: shortDate(last?.sentAt ?? o.createdAt) })),
            h("span", { class: "chat-item-who muted small", text: t(o.role === "buyer" ? "youBuy" : "youSell", { name: o.counterpart.name }) }),
            h("span", { class: "chat-item-bottom" },
              h("span", { class: "chat-item-preview", text: preview }),
              o.chat ? h("span", { class: `state-chip state-${o.chat.state}`, text: t(`state_${o.chat.state}`) }) : null,
              unread > 0 ? h("span", { class: "unread-badge", "data-unread": unread, "aria-label": `${unread} non lus`, text: unread > 99 ? "99+" : String(unread) }) : null)))));
    }
  };
  renderList();

  // Each joined chat moves its list entry live: new messages (after those the list already counted) and state changes.
  const followInList = conversation => {
    const counted = conversation.snapshot.lastSequence;
    conversation.on("message", m => {
      const o = byConversation.get(m.conversationId);
      if (!o || m.sequence <= counted) return; // the client never hands Edit/Deletion entries over as messages
      o.chat.lastMessage = m;
      const active = o.id === orderId && document.visibilityState === "visible";
      if (!active && m.senderId !== me.id) o.chat.unread += 1;
      renderList();
    });
    conversation.on("stateChanged", ({ change }) => {
      const o = byConversation.get(change.conversationId);
      if (o) { o.chat.state = change.to; renderList(); }
      if (o && o.id === orderId) refreshHeader();
    });
  };

  let headerEl = h("div");
  const refreshHeader = async () => {
    try {
      const detail = await api.get(`/api/orders/${encodeURIComponent(orderId)}`);
      const updated = orderHeader(detail, { me, navigate, toast, refresh: refreshHeader });
      headerEl.replaceWith(updated);
      headerEl = updated;
      const o = orders.find(x => x.id === orderId);
      if (o) { Object.assign(o, { status: detail.order.status }); }
    } catch (error) {
      headerEl.replaceChildren(h("p", { class: "form-error", role: "alert", text: error instanceof ApiError ? errorText(error.code, error.message) : error.message }));
    }
  };

  try {
    await client.start();
  } catch {
    // Offline at first: the client keeps retrying and joins once connected.
  }

  if (orderId) {
    pane.append(h("a", { href: "/orders", class: "back-link", "data-link": true, text: `← ${t("back")}` }), headerEl);
    await refreshHeader();
    view = new ConversationView({
      client, key: orderId, kind: "Transaction", me, people, label: t("ordersTitle"),
      onSnapshot: s => {
        const o = byConversation.get(s.conversationId) ?? orders.find(x => x.id === orderId);
        if (o?.chat) { o.chat.unread = 0; o.chat.state = s.state; renderList(); }
      },
    });
    pane.append(view.element);
    try {
      await view.mount();
      followInList(view.conversation);
    } catch (error) {
      view.element.replaceChildren(h("p", { class: "form-error", role: "alert", text: errorText(error.code, error.reason ?? error.message) }));
    }
  } else {
    pane.append(h("div", { class: "pane-placeholder" },
      h("span", { class: "placeholder-icon", "aria-hidden": "true", text: "💬" }),
      h("h2", { text: t("pickConversation") }), h("p", { class: "muted", text: t("pickConversationHint") })));
  }

  // The other chats of the list are joined too, so their unread badges and previews move live.
  for (const o of orders.filter(x => x.chat && x.id !== orderId).slice(0, LIVE_LIST_LIMIT)) {
    client.join(o.id).then(followInList, () => {});
  }

  return async () => {
    view?.destroy();
    untrack();
    await client.stop();
  };
}

function orderHeader(detail, { me, navigate, toast, refresh }) {
  const o = detail.order;
  const thumb = h("span", { class: "thumb large", "aria-hidden": "true", text: o.emoji });
  thumb.style.background = o.color;
  const run = async (button, action) => {
    button.disabled = true;
    try {
      await action();
      await refresh();
    } catch (error) {
      toast(error instanceof ApiError ? errorText(error.code, error.message) : error.message, "error");
      button.disabled = false;
    }
  };
  const actions = detail.actions.map(a => {
    switch (a) {
      case "pay":
        return h("a", { href: `/pay/${o.id}`, class: "button primary", "data-link": true, "data-action": "pay", text: t("pay", { amount: price(o.amountCents) }) });
      case "cancel": {
        const b = h("button", { type: "button", class: "button ghost", "data-action": "cancel", text: t("cancelOrder") });
        b.addEventListener("click", () => confirm(t("confirmCancel")) && run(b, () => api.post(`/api/orders/${o.id}/cancel`)));
        return b;
      }
      case "complete": {
        const b = h("button", { type: "button", class: "button success", "data-action": "complete", text: t("markReceived") });
        b.addEventListener("click", () => run(b, () => api.post(`/api/orders/${o.id}/complete`)));
        return b;
      }
      case "ship": {
        // The marketplace posts a notice in the chat (IChatLifecycle.PostNoticeAsync); marking twice posts once.
        const b = h("button", { type: "button", class: "button primary", "data-action": "ship", text: t("markShipped") });
        b.addEventListener("click", () => run(b, () => api.post(`/api/orders/${o.id}/ship`)));
        return b;
      }
      case "dispute": {
        const b = h("button", { type: "button", class: "button warn", "data-action": "dispute", text: t("openDispute") });
        b.addEventListener("click", () => disputeDialog(o, { navigate, toast }));
        return b;
      }
      default:
        return null;
    }
  });
  const openDispute = detail.disputes.find(d => d.status === "open") ?? detail.disputes.at(-1);
  if (openDispute) {
    actions.push(h("a", { href: `/disputes/${openDispute.id}`, class: "button dispute-link", "data-link": true, "data-action": "view-dispute", text: `⚖️ ${t("viewDispute")}` }));
  }
  return h("header", { class: "order-header" },
    thumb,
    h("div", { class: "order-header-main" },
      h("h1", { class: "order-title", text: o.title }),
      h("p", { class: "muted" },
        h("span", { class: "price", text: price(o.amountCents) }), " · ",
        h("span", { class: `status-chip status-${o.status}`, "data-status": o.status, text: t(`status_${o.status}`) }), " · ",
        h("span", { text: t(o.role === "buyer" ? "youBuy" : o.role === "seller" ? "youSell" : "youBuy", { name: o.counterpart.name }) }))),
    h("div", { class: "order-actions" }, actions));
}

function disputeDialog(order, { navigate, toast }) {
  const reason = h("textarea", { id: "dispute-reason", name: "reason", rows: "4", maxlength: "1000", required: true, placeholder: t("disputeReasonPlaceholder") });
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": "dispute-title" });
  const form = h("form", {
    method: "dialog", class: "stack",
    on: {
      submit: async e => {
        e.preventDefault();
        try {
          const dispute = await api.post(`/api/orders/${order.id}/disputes`, { reason: reason.value });
          dialog.close();
          navigate(`/disputes/${dispute.id}`);
        } catch (error) {
          toast(error instanceof ApiError ? errorText(error.code, error.message) : error.message, "error");
        }
      },
    },
  },
    h("h2", { id: "dispute-title", text: t("disputeDialogTitle") }),
    h("label", { for: "dispute-reason", text: t("disputeReasonLabel") }), reason,
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "button ghost", text: t("cancel"), on: { click: () => dialog.close() } }),
      h("button", { type: "submit", class: "button warn", text: t("disputeSubmit") })));
  dialog.append(form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
}
