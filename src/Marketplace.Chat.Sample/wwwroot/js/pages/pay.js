// FakePay: a stand-in payment provider's checkout. Paying makes the provider send a signed webhook to the shop,
// which confirms the payment to the chat: both parties' open chats unlock live.
import { h } from "../dom.js";
import { t, price, errorText } from "../i18n.js";
import { api, ApiError } from "../api.js";

export const name = "pay";

export async function render(main, [orderId], { navigate }) {
  const checkout = await api.get(`/api/fakepay/checkout/${encodeURIComponent(orderId)}`);
  const card = h("div", { class: "fakepay-card" });
  main.append(h("div", { class: "page fakepay" },
    h("div", { class: "fakepay-brand" }, h("span", { class: "fakepay-logo", "aria-hidden": "true", text: "◉" }), h("strong", { text: "FakePay" }), h("span", { class: "muted small", text: t("payTitle") })),
    card,
    h("p", { class: "muted small center", text: t("payProviderNote") })));

  const row = (label, value) => h("div", { class: "fakepay-row" }, h("span", { class: "muted", text: label }), h("strong", { text: value }));
  const success = eventId => {
    const result = h("p", { class: "muted small", role: "status" });
    card.replaceChildren(
      h("div", { class: "fakepay-success", role: "status" }, h("span", { class: "check", "aria-hidden": "true", text: "✓" }), h("h1", { text: t("paySuccess") })),
      h("p", { text: t("paySuccessText") }),
      h("a", { href: `/orders/${orderId}`, class: "button primary block", "data-link": true, text: t("payBack") }),
      eventId ? h("button", {
        type: "button", class: "button ghost block", text: t("payRedeliver"),
        on: {
          click: async () => {
            const r = await api.post(`/api/fakepay/events/${encodeURIComponent(eventId)}/redeliver`);
            result.textContent = t("payRedelivered", { changed: t(r.chatUnlocked ? "yes" : "no"), updated: t(r.orderUpdated ? "yes" : "no") });
          },
        },
      }) : null,
      result);
  };

  if (checkout.status === "Cancelled" || checkout.status === "Refunded") {
    // A payment that arrived after the cancellation was refunded by the shop (its webhook reconciles, never fails).
    card.append(h("p", { class: "fakepay-cancelled", role: "status", text: t(checkout.refunded ? "payRefunded" : "payCancelled") }));
    return;
  }

  if (checkout.status !== "PendingPayment") {
    card.append(h("p", { text: t("payAlready") }));
    success(checkout.paymentEventId);
    return;
  }

  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const pay = h("button", { type: "submit", class: "button fakepay-pay block", text: t("payButton", { amount: price(checkout.amountCents) }) });
  card.append(
    row(t("payMerchant"), checkout.merchant),
    row(t("payOrder"), checkout.title),
    row(t("payAmount"), price(checkout.amountCents)),
    h("form", {
      class: "stack",
      on: {
        submit: async e => {
          e.preventDefault();
          pay.disabled = true;
          error.hidden = true;
          try {
            const r = await api.post(`/api/fakepay/checkout/${encodeURIComponent(orderId)}/pay`);
            success(r.eventId);
          } catch (err) {
            pay.disabled = false;
            error.hidden = false;
            error.textContent = err instanceof ApiError ? errorText(err.code, err.message) : err.message;
          }
        },
      },
    },
      h("label", { for: "card-number", text: t("payCard") }),
      h("input", { id: "card-number", value: "4242 4242 4242 4242", inputmode: "numeric", autocomplete: "off", readonly: true }),
      h("div", { class: "fakepay-split" },
        h("input", { "aria-label": "MM/AA", value: "12/34", readonly: true }),
        h("input", { "aria-label": "CVC", value: "123", readonly: true })),
      error,
      pay));
}
