// The explorer's JSON/SSE API (same origin; the session cookie rides along, the CSRF token goes in a header).

const BASE = "/explorer/api";
let csrf = "";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status ?? null;
  }
}

async function parse(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError((err && err.message) || `HTTP ${res.status}`, (err && err.status) || res.status);
  }
  return body;
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const qs = query.toString();
  return BASE + path + (qs ? "?" + qs : "");
}

const enc = encodeURIComponent;
export const convPath = (cid) => `/conversations/${enc(cid)}`;
export const branchPath = (cid, bid) => `${convPath(cid)}/branches/${enc(bid)}`;

export async function get(path, params) {
  return parse(await fetch(url(path, params), { credentials: "same-origin" }));
}

export async function session() {
  const data = await get("/session");
  csrf = data.csrf;
  return data;
}

/** A state-changing JSON call (POST/PATCH/DELETE) with the CSRF header. */
export async function call(method, path, body) {
  const res = await fetch(url(path), {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return parse(res);
}

/** Split an SSE text buffer into complete events; returns [events, rest]. */
export function splitEvents(buffer) {
  const events = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) events.push({ event, data: data.join("\n") });
  }
  return [events, rest];
}

/**
 * POST that answers with an SSE stream (send, fork with content, edit, regenerate, compare).
 * handlers: {branch(d), delta(d), done(d), json(body)}; an `error` event or HTTP error rejects with ApiError.
 */
export async function stream(path, body, handlers) {
  const res = await fetch(url(path), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  const type = res.headers.get("content-type") || "";
  if (!res.ok || !type.includes("text/event-stream")) {
    const data = await parse(res);
    if (handlers.json) handlers.json(data);
    return data;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let result = null;
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    const [events, rest] = splitEvents(done ? buffer + "\n\n" : buffer);
    buffer = rest;
    for (const { event, data } of events) {
      let payload = {};
      try {
        payload = JSON.parse(data);
      } catch {
        payload = { text: data };
      }
      if (event === "error") throw new ApiError(payload.message || "the request failed", payload.status);
      if (event === "done") result = payload;
      const handler = handlers[event];
      if (handler) handler(payload);
    }
    if (done) break;
  }
  if (result === null) throw new ApiError("the reply stream ended before it was complete", null);
  return result;
}

/** Live changes: an EventSource on /changes; returns a function that closes it. */
export function changes(cid, since, onChange, onState) {
  const source = new EventSource(url("/changes", { cid, since }), { withCredentials: true });
  const handle = (ev) => {
    try {
      onChange(JSON.parse(ev.data));
    } catch {
      /* a keep-alive or malformed event: ignore */
    }
  };
  source.addEventListener("message", handle);
  source.addEventListener("change", handle);
  source.addEventListener("reset", () => onChange({ kind: "reset", conversationId: null, branchId: null }));
  source.addEventListener("open", () => onState && onState(true));
  source.addEventListener("error", () => onState && onState(false));
  return () => source.close();
}
