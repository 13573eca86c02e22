// The git-style graph: one lane per branch, one row per message, each fork drawn at its fork point.
// Only the rows in view (plus a margin) are in the DOM, so 10,000 messages draw as fast as 50.

import { h, s, clean } from "./dom.js";

export const ROW_H = 22;
const OVERSCAN = 15;
const LABEL_W = 260;

/**
 * Visible layout of a graph with some branches collapsed (their descendants hidden). Linear, no recursion.
 * Returns {rows: [message], rowOf: Map(id -> row), spans: [...], lanes: int, checkpoints: Set(messageId)}.
 */
export function layout(graph, collapsed) {
  const byId = new Map(graph.branches.map((b) => [b.id, b]));
  const hidden = new Map();
  for (const branch of graph.branches) {
    const path = [];
    let cur = branch;
    while (cur && !hidden.has(cur.id) && path.length <= graph.branches.length) {
      path.push(cur);
      cur = cur.parentBranchId ? byId.get(cur.parentBranchId) : null;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const parent = path[i].parentBranchId ? byId.get(path[i].parentBranchId) : null;
      hidden.set(path[i].id, parent ? hidden.get(parent.id) === true || collapsed.has(parent.id) : false);
    }
  }
  const rows = graph.messages.filter((m) => !hidden.get(m.branchId));
  // the API sends rows in order and live updates append at the end: sort only when that does not hold
  if (rows.some((m, i) => i > 0 && rows[i - 1].row > m.row)) rows.sort((a, b) => a.row - b.row);
  const rowOf = new Map();
  rows.forEach((m, i) => rowOf.set(m.id, i));
  const visible = graph.branches.filter((b) => !hidden.get(b.id));
  const laneIds = [...new Set(visible.map((b) => b.lane))].sort((a, b) => a - b);
  const laneOf = new Map(laneIds.map((lane, i) => [lane, i]));
  const first = new Map();
  const last = new Map();
  rows.forEach((m, i) => {
    if (!first.has(m.branchId)) first.set(m.branchId, i);
    last.set(m.branchId, i);
  });
  const spans = visible.map((b) => {
    const parent = b.parentBranchId ? byId.get(b.parentBranchId) : null;
    const forkRow = b.forkPointMessageId != null ? rowOf.get(b.forkPointMessageId) ?? null : null;
    const from = first.has(b.id) ? first.get(b.id) : forkRow ?? 0;
    return {
      branch: b,
      lane: laneOf.get(b.lane),
      from,
      to: last.has(b.id) ? last.get(b.id) : from,
      empty: !first.has(b.id),
      forkRow: parent ? forkRow : null,
      forkLane: parent ? laneOf.get(parent.lane) : null,
      collapsed: collapsed.has(b.id) && (b.childCount || 0) > 0,
    };
  });
  const laneBranch = new Map(spans.map((sp) => [sp.branch.id, sp]));
  const checkpoints = new Set();
  for (const b of graph.branches) for (const c of b.checkpoints || []) checkpoints.add(c.anchorMessageId);
  return { rows, rowOf, spans, laneBranch, lanes: laneIds.length, checkpoints };
}

/** A one-line preview: tool calls and results as steps (→ name(…) / ← name: …), never as raw tags. */
export function preview(text) {
  const raw = clean(text);
  const name = (s) => (/"name"\s*:\s*"([^"]*)"/.exec(s) || [])[1] || "?";
  if (raw.trimStart().startsWith("<tool_call>")) {
    const calls = raw.split("<tool_call>").slice(1).map((c) => `→ ${name(c)}(…)`);
    const rest = raw.slice(raw.lastIndexOf("</tool_call>") + 12).trim();
    return calls.join(" ") + (rest ? " " + rest : "");
  }
  if (raw.trimStart().startsWith("<tool_response>")) {
    const content = (/"content"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(raw) || [])[1] || "…";
    return `← ${name(raw)}: ${content}`;
  }
  return raw.replace(/<tool_call>[\s\S]*?(<\/tool_call>|$)/g, (c) => `→ ${name(c)}(…)`);
}

export class GraphView {
  constructor(root, { onSelect }) {
    this.root = root;
    this.onSelect = onSelect;
    this.graph = null;
    this.lay = null;
    this.selected = null;
    this.branch = null;
    this.pending = false;
    this.svg = s("svg", { class: "graph-svg", "aria-hidden": "true" });
    this.lanesEl = h("div", { class: "graph-lanes" });
    this.lanesEl.append(this.svg);
    this.labels = h("div", { class: "graph-labels" });
    this.canvas = h("div", { class: "graph-canvas" }, this.lanesEl, this.labels);
    root.replaceChildren(this.canvas);
    root.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(root);
    this.canvas.addEventListener("click", (ev) => {
      const target = ev.target.closest("[data-row]");
      if (target && this.lay) this.onSelect(this.lay.rows[Number(target.dataset.row)]);
    });
  }

  laneWidth() {
    const lanes = this.lay ? this.lay.lanes : 1;
    return lanes > 60 ? 8 : lanes > 20 ? 11 : 16;
  }

  setData(graph, collapsed) {
    this.graph = graph;
    this.relayout(collapsed);
  }

  relayout(collapsed) {
    this.lay = layout(this.graph, collapsed);
    const width = this.lay.lanes * this.laneWidth() + 12;
    const height = Math.max(this.lay.rows.length * ROW_H, ROW_H);
    this.lanesEl.style.width = width + "px";
    this.canvas.style.height = height + "px";
    this.canvas.style.minWidth = width + LABEL_W + "px";
    this.draw();
  }

  select(messageId, branchId) {
    this.selected = messageId;
    this.branch = branchId ?? this.branch;
    if (!this.lay) return;
    const row = this.lay.rowOf.get(messageId);
    if (row !== undefined) {
      const top = row * ROW_H;
      const view = this.root;
      if (top < view.scrollTop || top + ROW_H > view.scrollTop + view.clientHeight) {
        view.scrollTop = Math.max(0, top - view.clientHeight / 2);
      }
    }
    this.draw();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  x(lane) {
    return 8 + lane * this.laneWidth();
  }

  draw() {
    const lay = this.lay;
    if (!lay) return;
    const start = Math.max(0, Math.floor(this.root.scrollTop / ROW_H) - OVERSCAN);
    const end = Math.min(lay.rows.length, Math.ceil((this.root.scrollTop + this.root.clientHeight) / ROW_H) + OVERSCAN);
    const top = start * ROW_H;
    const y = (row) => (row - start) * ROW_H + ROW_H / 2;
    this.svg.setAttribute("width", String(lay.lanes * this.laneWidth() + 12));
    this.svg.setAttribute("height", String(Math.max(end - start, 1) * ROW_H));
    this.svg.style.top = top + "px";
    const edges = [];
    for (const sp of lay.spans) {
      const upper = sp.forkRow ?? sp.from;
      if (Math.max(sp.to, sp.from) < start || upper >= end) continue;
      const cls = ["edge", `lane-c${sp.lane % 8}`];
      if (sp.branch.isMain) cls.push("main");
      if (sp.branch.merged) cls.push("merged");
      if (sp.branch.isActive === false) cls.push("inactive");
      if (sp.branch.id === this.branch) cls.push("current");
      const x = this.x(sp.lane);
      let d = "";
      if (sp.forkRow !== null && sp.forkLane !== undefined) {
        const fx = this.x(sp.forkLane);
        const fy = y(sp.forkRow);
        const ty = sp.empty ? fy + ROW_H / 2 : Math.min(y(sp.from), fy + ROW_H);
        d = `M${fx} ${fy} C${fx} ${ty} ${x} ${fy} ${x} ${ty}`;
        if (!sp.empty) d += ` L${x} ${y(sp.to)}`;
      } else {
        d = `M${x} ${y(sp.from)} L${x} ${y(sp.to)}`;
      }
      const path = s("path", { d, class: cls.join(" "), "data-bid": sp.branch.id });
      edges.push(path);
      if (sp.empty) {
        edges.push(s("circle", { cx: x, cy: y(sp.forkRow ?? sp.from) + ROW_H / 2, r: 3, class: `stub ${cls.join(" ")}` }));
      }
      if (sp.collapsed) {
        const cy = y(sp.to) + (sp.empty ? ROW_H / 2 : 0);
        edges.push(s("rect", { x: x - 5, y: cy - 5, width: 10, height: 10, rx: 2, class: "collapsed-mark" }));
      }
    }
    const nodes = [];
    const labels = [];
    for (let row = start; row < end; row++) {
      const m = lay.rows[row];
      const sp = lay.laneBranch.get(m.branchId);
      const lane = sp ? sp.lane : 0;
      const x = this.x(lane);
      const cls = ["node", `lane-c${lane % 8}`, m.role === "user" ? "user" : "reply"];
      if (m.id === this.selected) cls.push("sel");
      if (sp && sp.branch.isActive === false) cls.push("inactive");
      nodes.push(s("circle", { cx: x, cy: y(row), r: sp && sp.branch.isMain ? 5 : 4, class: cls.join(" "), "data-row": row }));
      if (lay.checkpoints.has(m.id)) {
        nodes.push(s("rect", { x: x + 5, y: y(row) - 9, width: 6, height: 6, class: "ckpt", transform: `rotate(45 ${x + 8} ${y(row) - 6})` }));
      }
      const label = h(
        "div",
        {
          class: "grow" + (m.id === this.selected ? " sel" : "") + (m.branchId === this.branch ? " on" : ""),
          dataset: { row: String(row), mid: m.id },
        },
        h("span", { class: "role role-" + (m.role === "user" ? "user" : m.role === "assistant" ? "assistant" : "other"), text: m.role === "user" ? "U" : m.role === "assistant" ? "A" : "S" }),
        h("span", { class: "preview", dir: "auto", text: preview(m.preview) }),
      );
      label.style.top = row * ROW_H + "px";
      labels.push(label);
    }
    this.svg.replaceChildren(...edges, ...nodes);
    this.labels.replaceChildren(...labels);
  }
}
