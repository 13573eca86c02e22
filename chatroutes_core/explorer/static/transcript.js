// A branch's history as a transcript: inherited prefix marked, tool steps as → / ←, system text marked,
// long messages folded. Every piece of data goes in as text.

import { h, clean, when } from "./dom.js";

export const FOLD_CHARS = 1500;
export const FOLD_LINES = 18;

/** A text block that folds when long: the first part, then a button that shows the rest. */
export function folded(text, cls) {
  const full = clean(text);
  const lines = full.split("\n", FOLD_LINES + 1);
  const long = full.length > FOLD_CHARS || lines.length > FOLD_LINES;
  const body = h("div", { class: cls, dir: "auto" });
  if (!long) {
    body.textContent = full;
    return body;
  }
  const head = lines.slice(0, FOLD_LINES).join("\n").slice(0, FOLD_CHARS);
  body.textContent = head + " …";
  body.classList.add("folded");
  const button = h("button", {
    type: "button",
    class: "unfold link",
    text: `Show all (${full.length.toLocaleString()} characters)`,
  });
  button.addEventListener("click", () => {
    const open = body.classList.toggle("folded");
    body.textContent = open ? head + " …" : full;
    button.textContent = open ? `Show all (${full.length.toLocaleString()} characters)` : "Fold";
  });
  return h("div", { class: "fold" }, body, button);
}

function args(value) {
  if (value === null || value === undefined) return "";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function step(st) {
  if (st.kind === "tool_call") {
    return h("div", { class: "step tool-call" }, folded(`→ ${st.name ?? "?"}(${st.arguments != null ? args(st.arguments) : st.text ?? ""})`, "code"));
  }
  if (st.kind === "tool_result") {
    return h("div", { class: "step tool-result" }, folded(`← ${st.name ?? "?"}: ${st.text ?? ""}`, "code"));
  }
  if (st.kind === "system") {
    return h("div", { class: "step system" }, h("span", { class: "tag", text: "system" }), folded(st.text, "text"));
  }
  return h("div", { class: "step step-text" }, folded(st.text, "text"));
}

/** One message of the transcript with its actions (buttons carry data-action; the app handles clicks). */
export function message(item, { selected }) {
  const role = item.role === "user" || item.role === "assistant" ? item.role : "system";
  const actions = h(
    "div",
    { class: "actions" },
    h("button", { type: "button", class: "link", dataset: { action: "fork" }, text: "Fork here" }),
    role === "user" ? h("button", { type: "button", class: "link", dataset: { action: "edit" }, text: "Edit" }) : null,
    role === "assistant"
      ? h("button", { type: "button", class: "link", dataset: { action: "regenerate" }, text: "Regenerate" })
      : null,
    h("button", { type: "button", class: "link", dataset: { action: "models" }, text: "Ask models" }),
  );
  const steps = item.steps && item.steps.length ? item.steps : [{ kind: "text", text: item.content ?? "" }];
  return h(
    "article",
    {
      class: `msg ${role}` + (item.inherited ? " inherited" : "") + (selected ? " sel" : ""),
      dataset: { mid: item.id },
      tabindex: "-1",
    },
    h(
      "header",
      { class: "msg-head" },
      h("span", { class: "who", text: role }),
      item.inherited ? h("span", { class: "tag inherited-tag", text: "inherited" }) : null,
      item.model ? h("span", { class: "model", text: clean(item.model) }) : null,
      h("time", { class: "when", text: when(item.createdAt) }),
      actions,
    ),
    steps.map(step),
  );
}

/** A one-line preview of a history item for the graph (tool steps as → / ←). */
export function stepsPreview(item) {
  const parts = (item.steps || []).map((st) =>
    st.kind === "tool_call" ? `→ ${st.name}(…)` : st.kind === "tool_result" ? `← ${st.name}: ${st.text}` : st.text,
  );
  const text = parts.join(" ").replace(/\s+/g, " ").trim();
  return text.length > 160 ? text.slice(0, 160) + "…" : text;
}

export class Transcript {
  constructor(root) {
    this.root = root;
    this.items = [];
    this.ids = new Set();
    this.selected = null;
  }

  set(items, selected) {
    this.items = items.slice();
    this.ids = new Set(items.map((i) => i.id));
    this.selected = selected ?? null;
    this.root.replaceChildren(...this.items.map((i) => message(i, { selected: i.id === this.selected })));
  }

  /** Append only the items not shown yet (a live update on this branch). */
  append(items) {
    const fresh = items.filter((i) => !this.ids.has(i.id));
    for (const item of fresh) {
      this.items.push(item);
      this.ids.add(item.id);
      this.root.append(message(item, { selected: false }));
    }
    return fresh.length;
  }

  find(mid) {
    return this.items.find((i) => i.id === mid) ?? null;
  }

  node(mid) {
    for (const el of this.root.querySelectorAll("article.msg")) if (el.dataset.mid === mid) return el;
    return null;
  }

  select(mid, scroll = true) {
    this.selected = mid;
    for (const el of this.root.querySelectorAll("article.msg.sel")) el.classList.remove("sel");
    const el = this.node(mid);
    if (el) {
      el.classList.add("sel");
      if (scroll) el.scrollIntoView({ block: "nearest" });
    }
  }

  /** A reply streaming in: returns {add(text), fail(), el}. */
  streaming(label) {
    const text = h("div", { class: "text", dir: "auto" });
    const el = h(
      "article",
      { class: "msg assistant streaming" },
      h("header", { class: "msg-head" }, h("span", { class: "who", text: label })),
      h("div", { class: "step step-text" }, text),
    );
    this.root.append(el);
    el.scrollIntoView({ block: "nearest" });
    let shown = "";
    return {
      el,
      add: (delta) => {
        shown += delta;
        text.textContent = clean(shown);
        el.scrollIntoView({ block: "nearest" });
      },
      remove: () => el.remove(),
    };
  }
}
