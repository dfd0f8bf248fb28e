// Where image and file messages plug in. The library's upload/download endpoints (issue #4) are not available in this
// version, so the composer offers no upload and attachment messages show their caption with a neutral chip.
// When they land: set `available` to true, implement `upload(conversationId, file, onProgress)` against
// POST /chat/conversations/{id}/attachments and render previews from GET /chat/attachments/{id}.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export const attachments = {
  available: false,
  render(message) {
    return h("span", { class: "attachment-chip" }, "📎 ", message.kind === "Image" ? t("attachmentImage") : t("attachmentFile"));
  },
};
