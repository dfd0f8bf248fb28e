// Image and file messages as bubbles. The upload (multipart POST with progress) and SendAttachment are the client
// package's (conversation.upload / sendAttachment). Images render at their stored dimensions (space reserved before
// the bytes arrive); files are downloaded from GET /chat/attachments/{id}, which the library serves as an attachment.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export const attachments = {
  available: true,

  render(message) {
    const a = message.attachment;
    const url = `/chat/attachments/${encodeURIComponent(message.attachmentId)}`;
    if (!a) return h("span", { class: "attachment-chip" }, "📎 ", t(message.kind === "Image" ? "attachmentImage" : "attachmentFile"));
    if (message.kind === "Image") {
      // The bubble shows the small preview (GET .../preview); a click opens the full image. width/height from the
      // server reserve the space, so the list does not jump when the image arrives.
      const p = a.preview;
      return h("a", { href: url, target: "_blank", rel: "noopener", class: "attachment-image", "aria-label": a.fileName },
        h("img", { src: p ? `${url}/preview` : url, alt: a.fileName, width: p?.width ?? a.width ?? 320, height: p?.height ?? a.height ?? 240, loading: "lazy", decoding: "async" }));
    }
    return h("a", { href: url, download: a.fileName, class: "attachment-file" },
      h("span", { class: "file-icon", "aria-hidden": "true", text: "📄" }),
      h("span", { class: "file-text" }, h("strong", { text: a.fileName }), h("span", { class: "small", text: `${size(a.length)} · ${t("download")}` })));
  },
};

export function size(bytes) {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} Ko`;
  return `${(bytes / 1024 / 1024).toFixed(1)} Mo`;
}
