// The branch panel: branches in tree order (indented), badges for main / merged / inactive / checkpoints,
// collapse toggles and compare checkboxes.

import { h, clean } from "./dom.js";

/** Branches in depth-first tree order, iteratively (no recursion: 200-deep chains are fine). */
export function treeOrder(branches) {
  const children = new Map();
  const ids = new Set(branches.map((b) => b.id));
  const roots = [];
  for (const b of branches) {
    if (b.parentBranchId && ids.has(b.parentBranchId)) {
      if (!children.has(b.parentBranchId)) children.set(b.parentBranchId, []);
      children.get(b.parentBranchId).push(b);
    } else roots.push(b);
  }
  roots.sort((a, b) => Number(b.isMain) - Number(a.isMain));
  const out = [];
  const stack = roots.reverse().map((b) => [b, 0]);
  const seen = new Set();
  while (stack.length) {
    const [b, depth] = stack.pop();
    if (seen.has(b.id)) continue;
    seen.add(b.id);
    out.push([b, depth]);
    const kids = children.get(b.id) || [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
  }
  return out;
}

export function badges(b) {
  return [
    b.isMain ? h("span", { class: "badge main", text: "main" }) : null,
    b.merged ? h("span", { class: "badge merged", text: "merged" }) : null,
    b.isActive === false ? h("span", { class: "badge inactive", text: "inactive" }) : null,
    b.checkpoints && b.checkpoints.length
      ? h("span", { class: "badge ckpt", title: "checkpoints", text: `◆${b.checkpoints.length}` })
      : null,
  ];
}

export function renderBranches(root, branches, { collapsed, current, picked, href }) {
  const rows = [];
  let hideBelow = null;
  for (const [b, depth] of treeOrder(branches)) {
    if (hideBelow !== null && depth > hideBelow) continue;
    hideBelow = collapsed.has(b.id) ? depth : null;
    const toggle =
      (b.childCount || 0) > 0
        ? h("button", {
            type: "button",
            class: "toggle",
            dataset: { action: "toggle" },
            "aria-expanded": String(!collapsed.has(b.id)),
            title: collapsed.has(b.id) ? `Expand ${b.childCount} sub-branches` : "Collapse sub-branches",
            text: collapsed.has(b.id) ? `▸${b.childCount}` : "▾",
          })
        : h("span", { class: "toggle none" });
    const li = h(
      "li",
      { class: "branch" + (b.id === current ? " current" : ""), dataset: { bid: b.id } },
      h("input", { type: "checkbox", class: "pick", "aria-label": "Pick for compare", checked: picked.has(b.id) }),
      toggle,
      h("a", { class: "btitle", dir: "auto", href: href(b.id), dataset: { action: "open" }, text: clean(b.title || "(untitled)") }),
      h("span", { class: "count", text: String(b.messageCount ?? "") }),
      badges(b),
    );
    li.style.paddingInlineStart = Math.min(depth, 12) * 10 + "px";
    rows.push(li);
  }
  root.replaceChildren(...rows);
}
