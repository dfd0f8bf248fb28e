// JSON calls to the sample's API. Errors carry the stable code from the ProblemDetails body.
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body, { timeoutMs = 15000 } = {}) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data?.code ?? data?.title, data?.detail);
  return data;
}

export const api = {
  get: (path, options) => call("GET", path, undefined, options),
  post: (path, body = {}, options) => call("POST", path, body, options),
};
