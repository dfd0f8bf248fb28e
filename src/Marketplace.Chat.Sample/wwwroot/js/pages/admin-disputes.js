// The administrators' dispute queue: open disputes first, refreshed every few seconds.
import { h, clear, avatar } from "../dom.js";
import { t, price, shortDate } from "../i18n.js";
import { api } from "../api.js";

export const name = "admin-disputes";
const REFRESH_MS = 4000;

export async function render(main, _params, { navigate }) {
  const list = h("ul", { class: "queue", "aria-live": "polite" });
  main.append(h("div", { class: "page theme-dispute-soft" },
    h("div", { class: "page-head" }, h("h1", { text: t("queueTitle") })),
    list));

  const draw = disputes => {
    clear(list);
    if (disputes.length === 0) list.append(h("li", { class: "empty-state card pad", text: t("queueEmpty") }));
    for (const d of disputes) {
      const status = d.status === "resolved" ? "resolved" : d.assignedAdmin ? "review" : "new";
      const thumb = h("span", { class: "thumb", "aria-hidden": "true", text: d.emoji });
      thumb.style.background = d.color;
      list.append(h("li", { class: `queue-item card status-${status}`, "data-dispute": d.id },
        thumb,
        h("div", { class: "queue-main" },
          h("div", { class: "queue-top" },
            h("strong", { text: d.title }),
            h("span", { class: `queue-status ${status}`, text: t(`dispute_${status}`) })),
          h("p", { class: "queue-reason", text: d.reason }),
          h("p", { class: "muted small" },
            `${t("role_Buyer")} : ${d.buyer.name} · ${t("role_Seller")} : ${d.seller.name} · ${price(d.amountCents)} · ${shortDate(d.createdAt)}`,
            d.assignedAdmin ? ` · ${t("assignedTo", { name: d.assignedAdmin.name })}` : "")),
        h("a", {
          href: `/disputes/${d.id}`, class: `button ${status === "new" ? "dispute-primary" : "ghost"}`, "data-link": true,
          text: status === "new" ? t("join") : t("openChat"),
        })));
    }
  };

  const load = async () => draw(await api.get("/api/disputes"));
  await load();
  const timer = setInterval(() => load().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}
