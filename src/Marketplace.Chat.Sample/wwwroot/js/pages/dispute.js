// The dispute chat: buyer, seller and administrators, visually apart from the transaction chat. Administrators read the
// frozen transaction chat beside it as evidence and resolve the dispute with an outcome.
import { h, clear, avatar } from "../dom.js";
import { t, price, shortDate, errorText } from "../i18n.js";
import { api, ApiError } from "../api.js";
import { loadPeople } from "../session.js";
import { ChatClient } from "/lib/marketplace-chat-client.js";
import { ConversationView } from "../chat/conversation.js";

export const name = "dispute";

export async function render(main, [disputeId], { me, toast, trackHub }) {
  let dispute = await api.get(`/api/disputes/${encodeURIComponent(disputeId)}`);
  if (me.isAdmin && !dispute.assignedAdmin && dispute.status === "open") {
    await api.post(`/api/disputes/${encodeURIComponent(disputeId)}/assign`);
    dispute = await api.get(`/api/disputes/${encodeURIComponent(disputeId)}`);
  }
  const people = await loadPeople();

  const disputeHub = new ChatClient({ url: "/chat/disputes" });
  const evidenceHub = new ChatClient({ url: "/chat/transactions" });
  const untrack = [trackHub(disputeHub), trackHub(evidenceHub)];

  const headerEl = h("header", { class: "dispute-header" });
  const infoEl = h("section", { class: "card pad dispute-info" });
  const resolveEl = h("section", { class: "card pad resolve-card", hidden: true });
  const renderInfo = () => {
    const thumb = h("span", { class: "thumb large", "aria-hidden": "true", text: dispute.emoji });
    thumb.style.background = dispute.color;
    headerEl.replaceChildren(
      h("span", { class: "dispute-emblem", "aria-hidden": "true", text: "⚖️" }),
      h("div", { class: "dispute-header-main" },
        h("p", { class: "eyebrow", text: `${t("disputeTitle")} · ${dispute.id}` }),
        h("h1", { text: t("disputeAbout", { title: dispute.title }) }),
        h("p", {},
          h("span", { class: `dispute-status ${dispute.status}`, "data-status": dispute.status, text: dispute.status === "resolved" ? t("resolvedWith", { outcome: t(`outcomeShort_${dispute.outcome}`) }) : t("dispute_open") }),
          " · ", h("span", { class: "price", text: price(dispute.amountCents) }),
          me.isAdmin ? null : [" · ", h("a", { href: `/orders/${dispute.orderId}`, "data-link": true, text: t("back") })])),
      thumb);
    infoEl.replaceChildren(...[
      h("h2", { text: t("disputeReason") }),
      h("blockquote", { class: "reason", text: dispute.reason }),
      h("p", { class: "muted small", text: `${t("openedBy", { name: dispute.openedBy.name })} · ${shortDate(dispute.createdAt)}` }),
      h("ul", { class: "people-roles" },
        h("li", {}, avatar(dispute.buyer, "small"), h("span", { text: dispute.buyer.name }), h("span", { class: "role-badge role-Buyer", text: t("role_Buyer") })),
        h("li", {}, avatar(dispute.seller, "small"), h("span", { text: dispute.seller.name }), h("span", { class: "role-badge role-Seller", text: t("role_Seller") })),
        h("li", {}, dispute.assignedAdmin ? avatar(dispute.assignedAdmin, "small") : h("span", { class: "avatar small", text: "?" }),
          h("span", { text: dispute.assignedAdmin ? t("assignedTo", { name: dispute.assignedAdmin.name }) : t("unassigned") }),
          h("span", { class: "role-badge role-Admin", text: t("role_Admin") }))),
      dispute.resolutionNote ? h("p", { class: "resolution-note" }, h("strong", { text: `${t("resolutionNote")} : ` }), h("span", { text: dispute.resolutionNote })) : null,
    ].filter(Boolean));
    renderResolve();
  };

  const renderResolve = () => {
    resolveEl.hidden = !(me.isAdmin && dispute.status === "open");
    if (resolveEl.hidden) return;
    const note = h("textarea", { id: "resolution-note", name: "note", rows: "2", maxlength: "1000" });
    const option = (value, checked) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "outcome", value, checked }), h("span", { text: t(`outcome_${value}`) }));
    const submit = h("button", { type: "submit", class: "button dispute-primary", text: t("resolve") });
    resolveEl.replaceChildren(h("form", {
      class: "stack",
      on: {
        submit: async e => {
          e.preventDefault();
          submit.disabled = true;
          const outcome = resolveEl.querySelector("input[name=outcome]:checked").value;
          try {
            await api.post(`/api/disputes/${encodeURIComponent(disputeId)}/resolve`, { outcome, note: note.value });
            dispute = await api.get(`/api/disputes/${encodeURIComponent(disputeId)}`);
            renderInfo();
          } catch (error) {
            submit.disabled = false;
            toast(error instanceof ApiError ? errorText(error.code, error.message) : error.message, "error");
          }
        },
      },
    },
      h("h2", { text: t("resolveTitle") }),
      h("fieldset", { class: "stack tight" }, h("legend", { class: "visually-hidden", text: t("resolveTitle") }),
        option("CloseTransaction", true), option("ResumeTransaction", false)),
      h("label", { for: "resolution-note", text: t("resolutionNote") }), note,
      submit));
  };
  renderInfo();

  // Admins download the signed evidence bundle (GET {prefix}/disputes/{id}/evidence); a refusal arrives as ProblemDetails.
  const exportEl = me.isAdmin ? h("section", { class: "card pad export-evidence" },
    h("button", {
      type: "button", class: "button", id: "export-evidence", text: t("exportEvidence"),
      on: {
        click: async e => {
          const button = e.currentTarget;
          button.disabled = true;
          try {
            const response = await fetch(`/chat/disputes/${encodeURIComponent(disputeId)}/evidence`, { credentials: "same-origin" });
            if (!response.ok) {
              const problem = await response.json().catch(() => ({}));
              throw new ApiError(response.status, problem.code, problem.detail ?? response.statusText);
            }
            const name = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? `evidence-${disputeId}.zip`;
            const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name });
            link.click();
            setTimeout(() => URL.revokeObjectURL(link.href), 1000);
          } catch (error) {
            toast(error instanceof ApiError ? errorText(error.code, error.message) : error.message, "error");
          } finally {
            button.disabled = false;
          }
        },
      },
    }),
    h("p", { class: "muted small", text: t("exportEvidenceHint") })) : null;

  const chat = new ConversationView({ client: disputeHub, key: disputeId, kind: "Dispute", me, people, label: t("disputeChat") });
  const evidence = new ConversationView({ client: evidenceHub, key: dispute.orderId, kind: "Transaction", me, people, readOnly: true, label: t("evidenceTitle") });
  const asWritten = logAsWritten(evidence, people);
  const followState = () => chat.conversation.on("stateChanged", async () => {
    dispute = await api.get(`/api/disputes/${encodeURIComponent(disputeId)}`);
    renderInfo();
  });

  main.append(h("div", { class: "page dispute-page theme-dispute" },
    headerEl,
    h("div", { class: "dispute-grid" },
      h("div", { class: "dispute-main" }, h("h2", { class: "pane-title", text: t("disputeChat") }), chat.element),
      h("aside", { class: "dispute-side" },
        infoEl,
        resolveEl,
        exportEl,
        h("section", { class: "card evidence" },
          h("h2", { class: "pane-title", text: t("evidenceTitle") }),
          h("p", { class: "muted small", text: t("evidenceHint") }),
          evidence.element,
          me.isAdmin ? asWritten.element : null)))));

  await Promise.allSettled([disputeHub.start(), evidenceHub.start()]);
  await Promise.allSettled([
    chat.mount().then(followState, error => chat.element.replaceChildren(h("p", { class: "form-error", role: "alert", text: errorText(error.code, error.reason ?? error.message) }))),
    evidence.mount().catch(error => evidence.element.replaceChildren(h("p", { class: "muted", text: errorText(error.code, error.reason ?? error.message) }))),
  ]);

  return async () => {
    chat.destroy();
    evidence.destroy();
    untrack.forEach(off => off());
    await Promise.allSettled([disputeHub.stop(), evidenceHub.stop()]);
  };
}

// Administrators only: the transaction chat's log as written (IChatMessaging.GetEvidenceAsync, hub method "Evidence"):
// originals of edited messages, texts of deleted ones, each edit and deletion as its own entry, and the chain's verdict.
function logAsWritten(evidence, people) {
  const list = h("ol", { class: "evidence-log", "aria-label": t("logAsWritten") });
  const verdict = h("p", { class: "evidence-verdict small" });
  const who = e => e.senderId ? `${people.get(e.senderId)?.name ?? e.senderId} (${t(`role_${e.senderRole}`)})` : t("logSystem");
  const show = async button => {
    button.disabled = true;
    try {
      const log = await evidence.conversation.evidence();
      const v = log.verification;
      verdict.className = `evidence-verdict small ${v.isIntact ? "intact" : "broken"}`;
      verdict.textContent = v.isIntact
        ? t("logIntact", { count: v.messageCount, keys: (v.keyIds ?? []).join(", ") })
        : t("logBroken", { sequence: v.firstBrokenSequence, damage: v.damage });
      list.replaceChildren(...log.entries.map(e => h("li", { "data-seq": e.sequence, "data-kind": e.kind },
        h("div", { class: "entry-head" },
          `#${e.sequence} · ${shortDate(e.createdAt)} · ${who(e)} · ${e.kind}`,
          e.kind === "Edit" ? h("span", { class: "mark", text: t("logEditOf", { sequence: e.targetSequence }) }) : null,
          e.kind === "Deletion" ? h("span", { class: "mark deleted", text: t("logDeletionOf", { sequence: e.targetSequence }) }) : null,
          e.editedAt ? h("span", { class: "mark", text: t("logEditedAt", { at: shortDate(e.editedAt) }) }) : null,
          e.deletedAt ? h("span", { class: "mark deleted", text: t("logDeletedAt", { at: shortDate(e.deletedAt) }) }) : null),
        e.text == null ? null : h("p", { class: "written", text: e.text }))));
    } catch (error) {
      verdict.className = "evidence-verdict small broken";
      verdict.textContent = errorText(error.code, error.reason ?? error.message);
    } finally {
      button.disabled = false;
    }
  };
  const button = h("button", { type: "button", class: "button ghost small", "data-action": "log-as-written", text: t("logAsWritten"), on: { click: () => show(button) } });
  return { element: h("div", { class: "evidence-as-written" }, button, verdict, list) };
}
