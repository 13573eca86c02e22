// DOM helpers. Data is only ever inserted as text (textContent / text nodes), never parsed as HTML.

/** Build an element: h("div", {class: "x", text: "..."}, child, "text child"). Props are code, not data. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with numeric/string attributes (never data text). */
export function s(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") el.setAttribute("class", value);
    else el.setAttribute(key, String(value));
  }
  return el;
}

export const $ = (id) => document.getElementById(id);

/** Visible form of terminal escapes and other C0 controls (shown, never interpreted). */
export function clean(text) {
  return String(text ?? "").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) =>
    c === "\u001b" ? "␛" : "�",
  );
}

/** A short, locale-formatted date ("" for a missing or unparsable one). */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleString();
}

/** Path of a conversation / branch / message page. Ids are percent-encoded into the path. */
export function pathFor(cid, bid, mid) {
  let path = "/c/" + encodeURIComponent(cid);
  if (bid) path += "/b/" + encodeURIComponent(bid);
  if (bid && mid) path += "/m/" + encodeURIComponent(mid);
  return path;
}
