// The app shell: header (navigation, connection status, language, account), client-side routing, toasts.
import { h, clear, avatar } from "./dom.js";
import { t, lang, setLang, onLangChange } from "./i18n.js";
import { api } from "./api.js";
import { loadSession, currentUser } from "./session.js";
import { mountBell, startNotifications, stopNotifications } from "./bell.js";

const routes = [
  { path: /^\/$/, page: () => import("./pages/home.js") },
  { path: /^\/login$/, page: () => import("./pages/login.js"), anonymous: true },
  { path: /^\/orders$/, page: () => import("./pages/orders.js") },
  { path: /^\/orders\/([\w-]+)$/, page: () => import("./pages/orders.js") },
  { path: /^\/disputes\/([\w-]+)$/, page: () => import("./pages/dispute.js") },
  { path: /^\/admin\/disputes$/, page: () => import("./pages/admin-disputes.js"), admin: true },
  { path: /^\/admin\/stats$/, page: () => import("./pages/admin-stats.js"), admin: true },
  { path: /^\/pay\/([\w-]+)$/, page: () => import("./pages/pay.js") },
];

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
const hubs = new Set();
let cleanup = null;
let rendering = 0;

// Pages register their chat clients here so the header shows their connection status.
export function trackHub(hub) {
  hubs.add(hub);
  const off = hub.on("status", renderStatus);
  renderStatus();
  return () => { off(); hubs.delete(hub); renderStatus(); };
}

const statusEl = h("span", { class: "conn", role: "status", "data-state": "none", hidden: true });

function renderStatus() {
  const order = ["offline", "reconnecting", "connecting", "connected"];
  const states = [...hubs].map(hub => (hub.status === "disconnected" ? "offline" : hub.status));
  const worst = order.find(s => states.includes(s));
  statusEl.hidden = !worst;
  statusEl.dataset.state = worst ?? "none";
  statusEl.replaceChildren(h("span", { class: "conn-dot", "aria-hidden": "true" }), h("span", { class: "conn-label", text: worst ? t(`conn_${worst}`) : "" }));
  statusEl.title = worst === "offline" ? t("conn_offlineHint") : "";
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

export function toast(text, kind = "info") {
  const el = h("div", { class: `toast ${kind}`, text });
  document.getElementById("toasts").append(el);
  setTimeout(() => el.remove(), 5000);
}

const bellSlot = h("span", { class: "bell-slot" });
let unmountBell = null;

function renderHeader() {
  const me = currentUser();
  const here = location.pathname;
  const link = (href, key, extra = {}) => h("a", { href, class: here === href || (href !== "/" && here.startsWith(href)) ? "active" : "", "aria-current": here === href ? "page" : null, "data-link": true, ...extra }, t(key));
  const languages = h("div", { class: "lang-switch", role: "group", "aria-label": t("language") },
    ...["fr", "en"].map(code => h("button", {
      type: "button", "aria-pressed": String(lang() === code), class: lang() === code ? "active" : "", text: code.toUpperCase(),
      on: { click: () => setLang(code) },
    })));
  topbar.replaceChildren(
    h("a", { href: "/", class: "brand", "data-link": true },
      h("span", { class: "brand-mark", "aria-hidden": "true", text: "◆" }),
      h("span", { class: "brand-text" }, h("strong", { text: "La Brocante" }), h("small", { text: t("brandTagline") }))),
    h("nav", { class: "nav", "aria-label": "Navigation" },
      link("/", "navListings"),
      me && !me.isAdmin ? link("/orders", "navOrders") : null,
      me?.isAdmin ? link("/admin/disputes", "navQueue") : null,
      me?.isAdmin ? link("/admin/stats", "navStats") : null),
    h("div", { class: "topbar-tools" },
      statusEl,
      me ? bellSlot : null,
      languages,
      me
        ? h("div", { class: "account" }, avatar(me, "small"), h("span", { class: "account-name", text: me.name }),
          h("button", { type: "button", class: "button ghost small", text: t("signOut"), on: { click: signOut } }))
        : h("a", { href: "/login", class: "button primary small", "data-link": true, text: t("signIn") })));
  renderStatus();
  unmountBell?.();
  unmountBell = me ? mountBell(bellSlot, { navigate }) : null;
  if (me) startNotifications();
}

async function signOut() {
  await stopNotifications();
  await api.post("/api/account/logout");
  await loadSession();
  navigate("/login");
}

async function render() {
  const ticket = ++rendering;
  if (cleanup) { try { await cleanup(); } catch { /* page already gone */ } cleanup = null; }
  const route = routes.find(r => r.path.test(location.pathname));
  renderHeader();
  const me = currentUser();
  if (!route) {
    clear(main).append(h("div", { class: "page narrow" }, h("h1", { text: t("notFound") })));
    return;
  }
  if (!route.anonymous && !me && location.pathname !== "/") {
    navigate(`/login?returnUrl=${encodeURIComponent(location.pathname)}`, { replace: true });
    return;
  }
  if (route.admin && !me?.isAdmin) {
    navigate("/", { replace: true });
    return;
  }
  const params = location.pathname.match(route.path).slice(1);
  const module = await route.page();
  if (ticket !== rendering) return;
  clear(main);
  document.body.dataset.page = module.name ?? "";
  try {
    cleanup = (await module.render(main, params, { me, navigate, toast, trackHub })) ?? null;
  } catch (error) {
    console.error(error);
    main.append(h("div", { class: "page narrow" }, h("p", { class: "form-error", role: "alert", text: error.message })));
  }
}

document.addEventListener("click", e => {
  const a = e.target.closest("a[data-link]");
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute("href"));
});
window.addEventListener("popstate", render);
onLangChange(() => render());

export async function refreshSession() {
  await loadSession();
}

await loadSession();
render();
