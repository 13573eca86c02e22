// Compare: branches side by side from their common ancestor, each item marked same / changed / only.

import { h, clean } from "./dom.js";
import { step } from "./transcript.js";

const MARK = { same: "=", changed: "≠", only: "+" };

export function renderCompare(root, data, titles) {
  const columns = data.columns || [];
  root.replaceChildren(
    h(
      "div",
      { class: "compare-head" },
      h("strong", { text: `Comparing ${columns.length} branches` }),
      h("span", { class: "muted", text: data.ancestorMessageId ? " from their common ancestor" : " (no shared message)" }),
      h("button", { type: "button", class: "link", dataset: { action: "close-compare" }, text: "Close" }),
    ),
    h(
      "div",
      { class: "compare-cols", dataset: { n: String(columns.length) } },
      columns.map((col) =>
        h(
          "section",
          { class: "compare-col", dataset: { bid: col.branchId } },
          h("h3", { dir: "auto", text: clean(titles.get(col.branchId) ?? col.branchId) }),
          (col.items || []).map((item, i) => {
            const diff = (col.diff || [])[i] || "same";
            return h(
              "article",
              { class: `msg ${item.role === "user" ? "user" : "assistant"} diff-${diff}`, dataset: { diff } },
              h(
                "header",
                { class: "msg-head" },
                h("span", { class: "diff-mark", title: diff, text: MARK[diff] || "?" }),
                h("span", { class: "who", text: item.role }),
                item.model ? h("span", { class: "model", text: clean(item.model) }) : null,
              ),
              (item.steps && item.steps.length ? item.steps : [{ kind: "text", text: item.content ?? "" }]).map(step),
            );
          }),
        ),
      ),
    ),
  );
}

/** Model replies side by side while a CompareModels request streams (or from its JSON result). */
export function modelColumns(root) {
  const cols = new Map();
  const wrap = h("div", { class: "compare-cols" });
  root.replaceChildren(h("div", { class: "compare-head" }, h("strong", { text: "Asking several models" })), wrap);
  const column = (key, label) => {
    if (!cols.has(key)) {
      const text = h("div", { class: "text", dir: "auto" });
      wrap.append(h("section", { class: "compare-col", dataset: { bid: key } }, h("h3", { text: clean(label) }), text));
      cols.set(key, { text, shown: "" });
      wrap.dataset.n = String(cols.size);
    }
    return cols.get(key);
  };
  return {
    add(key, label, delta) {
      const col = column(key, label);
      col.shown += delta;
      col.text.textContent = clean(col.shown);
    },
    set(key, label, text) {
      const col = column(key, label);
      col.shown = text;
      col.text.textContent = clean(text);
    },
  };
}
