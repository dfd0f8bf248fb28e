import { h, avatar } from "../dom.js";
import { t } from "../i18n.js";
import { api, ApiError } from "../api.js";
import { loadSession } from "../session.js";

export const name = "login";

export async function render(main, _params, { navigate }) {
  const returnUrl = safeReturn(new URLSearchParams(location.search).get("returnUrl"));
  const done = async () => {
    const me = await loadSession();
    navigate(returnUrl ?? (me?.isAdmin ? "/admin/disputes" : "/orders"), { replace: true });
  };

  // Offered only in Development with Sample:DemoLogin on; elsewhere the endpoint is absent (404) and the form is all there is.
  const demoUsers = await api.get("/api/account/demo-users").catch(() => []);
  const demo = h("ul", { class: "demo-users" }, demoUsers.map(u => h("li", {},
    h("button", {
      type: "button", class: "demo-user", "data-user": u.id,
      on: { click: async () => { await api.post("/api/account/demo-login", { userId: u.id }); await done(); } },
    },
      avatar({ id: u.id, name: u.name }),
      h("span", { class: "demo-user-text" }, h("strong", { text: u.name }), h("span", { class: "muted small", text: u.email })),
      h("span", { class: `kind-badge kind-${u.kind}`, text: t(`kind_${u.kind}`) })))));

  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", {
    class: "stack",
    on: {
      submit: async e => {
        e.preventDefault();
        error.hidden = true;
        try {
          await api.post("/api/account/login", { email: email.value, password: password.value });
          await done();
        } catch (err) {
          error.hidden = false;
          error.textContent = t(err instanceof ApiError && err.code === "RateLimited" ? "loginThrottled" : "loginFailed");
        }
      },
    },
  },
    h("label", { for: "email", text: t("email") }), email,
    h("label", { for: "password", text: t("password") }), password,
    error,
    h("button", { type: "submit", class: "button primary", text: t("signIn") }),
    h("p", { class: "muted small", text: t("loginHint", { password: "demo1234" }) }));

  main.append(h("div", { class: "page login-page" },
    h("h1", { text: t("loginTitle") }),
    h("div", { class: "login-grid" },
      demoUsers.length ? h("section", { class: "card pad" }, h("h2", { text: t("loginDemoTitle") }), h("p", { class: "muted", text: t("loginDemoText") }), demo) : null,
      h("section", { class: "card pad" }, h("h2", { text: t("loginFormTitle") }), form))));
}

function safeReturn(url) {
  return url && url.startsWith("/") && !url.startsWith("//") ? url : null;
}
