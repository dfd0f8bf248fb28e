import { h } from "../dom.js";
import { t, price } from "../i18n.js";
import { api, ApiError } from "../api.js";
import { errorText } from "../i18n.js";

export const name = "home";

export async function render(main, _params, { me, navigate, toast }) {
  const listings = await api.get("/api/listings").catch(() => []);
  const grid = h("ul", { class: "listing-grid" });
  for (const l of listings) {
    const art = h("div", { class: "listing-art", "aria-hidden": "true", text: l.emoji });
    art.style.background = l.color;
    const buy = h("button", {
      type: "button", class: "button primary", disabled: l.isMine || me?.isAdmin,
      "data-listing": l.id,
      text: !me ? t("signInToBuy") : l.isMine ? t("yourListing") : t("buy"),
      on: {
        click: async () => {
          if (!me) return navigate(`/login?returnUrl=/`);
          buy.disabled = true;
          try {
            const order = await api.post(`/api/listings/${encodeURIComponent(l.id)}/buy`);
            navigate(`/orders/${order.id}`);
          } catch (error) {
            buy.disabled = false;
            toast(error instanceof ApiError ? errorText(error.code, error.message) : error.message, "error");
          }
        },
      },
    });
    grid.append(h("li", { class: "listing card" },
      art,
      h("div", { class: "listing-body" },
        h("h3", { text: l.title }),
        h("p", { class: "muted small", text: t("soldBy", { name: l.sellerName }) }),
        h("p", { class: "listing-desc", text: l.description }),
        h("div", { class: "listing-foot" }, h("span", { class: "price", text: price(l.priceCents) }), buy))));
  }

  main.append(h("div", { class: "page" },
    h("section", { class: "hero" },
      h("div", { class: "hero-text" },
        h("h1", { text: t("heroTitle") }),
        h("p", { text: t("heroText") })),
      h("ol", { class: "hero-steps" },
        h("li", {}, h("span", { class: "step-icon", "aria-hidden": "true", text: "🔒" }), h("span", { text: t("heroStep1") })),
        h("li", {}, h("span", { class: "step-icon", "aria-hidden": "true", text: "💳" }), h("span", { text: t("heroStep2") })),
        h("li", {}, h("span", { class: "step-icon", "aria-hidden": "true", text: "⚖️" }), h("span", { text: t("heroStep3") })))),
    h("h2", { class: "section-title", text: t("listingsTitle") }),
    grid));
}
