// The library's metrics, as the sample's MeterListener adds them up.
import { h, clear } from "../dom.js";
import { t, has } from "../i18n.js";
import { api } from "../api.js";

export const name = "admin-stats";
const REFRESH_MS = 3000;

export async function render(main) {
  const body = h("div", { class: "stats" });
  main.append(h("div", { class: "page" },
    h("div", { class: "page-head" }, h("h1", { text: t("statsTitle") }), h("p", { class: "muted", text: t("statsHint") })),
    body));

  const draw = s => {
    clear(body);
    body.append(h("div", { class: "stat-cards" },
      stat(t("activeConnections"), s.activeConnections, "active-connections"),
      stat(t("connectionsOpened"), s.connectionsOpened, "connections-opened"),
      ...s.instruments.map(i => stat(label(i.name, i.description), i.total, i.name))));
    if (s.instruments.length === 0) body.append(h("p", { class: "muted", text: t("noMetrics") }));
    for (const i of s.instruments) {
      body.append(h("section", { class: "card pad stat-table" },
        h("h2", { text: label(i.name, i.description) }),
        h("p", { class: "muted small mono", text: i.name }),
        h("table", {},
          h("tbody", {}, i.byTag.map(row => h("tr", {},
            h("th", { scope: "row", text: row.tags || "—" }),
            h("td", {}, h("span", { class: "bar", style: { width: `${Math.max(4, (row.value / Math.max(...i.byTag.map(r => r.value))) * 100)}%` } })),
            h("td", { class: "num", text: String(row.value) })))))));
    }
  };

  const load = async () => draw(await api.get("/api/admin/stats"));
  await load();
  const timer = setInterval(() => load().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}

function label(name, description) {
  const key = `metric_${name.replaceAll(".", "_")}`;
  return has(key) ? t(key) : description || name;
}

function stat(title, value, id) {
  return h("div", { class: "stat card", "data-metric": id }, h("span", { class: "stat-value", text: String(value) }), h("span", { class: "stat-label", text: title }));
}
