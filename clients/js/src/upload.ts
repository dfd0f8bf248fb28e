import { ChatError, type ChatErrorCode } from "./errors.js";
import type { ChatAttachmentInfo } from "./types.js";

/** Upload progress: bytes of the file handed to the network so far. */
export interface UploadProgress {
  loaded: number;
  total: number;
  /** loaded / total, from 0 to 1. */
  fraction: number;
}

/** Options of an upload. */
export interface UploadOptions {
  /** Called as the file goes out (browsers: XMLHttpRequest upload events; Node: as the request body is pulled). */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborts the upload; the promise then rejects with a `Cancelled` ChatError. */
  signal?: AbortSignal;
  /** The file name to send (defaults to a File's own name, else "attachment"). */
  fileName?: string;
  /** The declared type (the server decides from the bytes anyway). */
  contentType?: string;
}

/** What the upload needs to authenticate like the hub connection. */
export interface UploadAuth {
  accessTokenFactory?: () => string | Promise<string>;
  withCredentials: boolean;
  headers: Record<string, string>;
}

/** Something that can be uploaded: a Blob/File (browsers, Node 18+) or bytes. */
export type UploadBody = Blob | ArrayBuffer | Uint8Array;

const NODE_CHUNK = 64 * 1024;

/** Posts one file as multipart/form-data to the chat's attachment endpoint. */
export async function uploadFile(url: string, body: UploadBody, auth: UploadAuth, options: UploadOptions = {}): Promise<ChatAttachmentInfo> {
  if (options.signal?.aborted) throw cancelled();
  const token = auth.accessTokenFactory ? await auth.accessTokenFactory() : undefined;
  const fileName = options.fileName ?? (typeof File !== "undefined" && body instanceof File ? body.name : "attachment");
  const headers: Record<string, string> = { Accept: "application/json", ...auth.headers };
  if (token) headers["Authorization"] = `Bearer ${token}`;
  return typeof XMLHttpRequest !== "undefined"
    ? uploadWithXhr(url, body, fileName, headers, auth.withCredentials, options)
    : uploadWithFetch(url, body, fileName, headers, auth.withCredentials, options);
}

function uploadWithXhr(
  url: string, body: UploadBody, fileName: string, headers: Record<string, string>, withCredentials: boolean, options: UploadOptions,
): Promise<ChatAttachmentInfo> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = withCredentials;
    xhr.responseType = "text";
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    const blob = body instanceof Blob ? body : new Blob([body as BlobPart], { type: options.contentType ?? "application/octet-stream" });
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) report(options, Math.min(e.loaded, blob.size), blob.size);
    };
    const onAbort = () => xhr.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => options.signal?.removeEventListener("abort", onAbort);
    xhr.onload = () => {
      done();
      try {
        resolve(readResponse(xhr.status, xhr.responseText));
      } catch (error) {
        reject(error);
      }
    };
    xhr.onerror = () => { done(); reject(new ChatError("NetworkError", "The upload failed: the server could not be reached.")); };
    xhr.onabort = () => { done(); reject(cancelled()); };
    const form = new FormData();
    form.append("file", blob, fileName);
    xhr.send(form);
  });
}

async function uploadWithFetch(
  url: string, body: UploadBody, fileName: string, headers: Record<string, string>, withCredentials: boolean, options: UploadOptions,
): Promise<ChatAttachmentInfo> {
  const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer())
    : body instanceof Uint8Array ? body : new Uint8Array(body);
  const contentType = options.contentType ?? (body instanceof Blob && body.type ? body.type : "application/octet-stream");
  const boundary = "----mpchat" + Math.random().toString(16).slice(2) + Date.now().toString(16);
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}\r\n` +
    `Content-Type: ${contentType}\r\n\r\n`);
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  let offset = 0;
  let sentHead = false;
  // The body is pulled as the connection drains, so progress follows what has actually been handed to the socket.
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(head);
        return;
      }
      if (offset < bytes.length) {
        const end = Math.min(offset + NODE_CHUNK, bytes.length);
        controller.enqueue(bytes.subarray(offset, end));
        offset = end;
        report(options, offset, bytes.length);
        return;
      }
      controller.enqueue(tail);
      controller.close();
    },
  }, { highWaterMark: 1 });

  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { ...headers, "Content-Type": `multipart/form-data; boundary=${boundary}` },
      body: stream,
      credentials: withCredentials ? "include" : "same-origin",
      signal: options.signal ?? null,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
  } catch (error) {
    if (options.signal?.aborted) throw cancelled();
    throw new ChatError("NetworkError", `The upload failed: ${(error as Error)?.message ?? error}`, { cause: error });
  }

  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw cancelled();
    throw new ChatError("NetworkError", "The upload's answer could not be read.", { cause: error });
  }
  return readResponse(response.status, text);
}

function readResponse(status: number, text: string): ChatAttachmentInfo {
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? JSON.parse(text) as Record<string, unknown> : null;
  } catch {
    json = null;
  }
  if (status >= 200 && status < 300 && json) return json as unknown as ChatAttachmentInfo;
  // The chat's endpoints answer refusals with ProblemDetails carrying the same stable code as the hubs.
  const code = typeof json?.["code"] === "string" ? json["code"] as ChatErrorCode
    : status === 401 ? "AuthenticationRequired" : status === 503 ? "Unavailable" : "ServerError";
  const reason = typeof json?.["detail"] === "string" ? json["detail"] as string
    : typeof json?.["title"] === "string" ? json["title"] as string : `The upload was refused (HTTP ${status}).`;
  throw new ChatError(code, reason, { status });
}

function report(options: UploadOptions, loaded: number, total: number): void {
  try {
    options.onProgress?.({ loaded, total, fraction: total === 0 ? 1 : loaded / total });
  } catch {
    // A failing progress handler must not fail the upload.
  }
}

function quote(name: string): string {
  return name.replace(/[\r\n"\\]/g, "_").replace(/[^\x20-\x7e]/g, "_");
}

function cancelled(): ChatError {
  return new ChatError("Cancelled", "The upload was cancelled.");
}
