// The explorer page: conversation list, graph, transcript, actions, compare, live updates, URLs and keys.

import * as api from "./api.js";
import { $, h, clean, when, pathFor } from "./dom.js";
import { GraphView } from "./graph.js";
import { Transcript, stepsPreview } from "./transcript.js";
import { renderBranches, treeOrder, badges } from "./branches.js";
import { renderCompare } from "./compare.js";
import { banner } from "./ui.js";
import { bindKeys } from "./keys.js";
import { bindActions } from "./actions.js";
import { bindList } from "./list.js";

const state = {
  session: null,
  list: { items: [], cursor: null, q: "", selected: -1, seq: 0 },
  cid: null,
  bid: null,
  mid: null,
  graph: null,
  version: null,
  collapsed: new Set(),
  picked: new Set(),
  mode: { kind: "send" },
  busy: false,
  loading: null,
};
// Counters and timings the browser tests and the bench read (no data, no secrets).
const probe = { state, shown: 0, graphs: 0, updates: 0, timings: {} };
window.__explorer = probe;

const graph = new GraphView($("graph"), {
  onSelect: (m) => go(pathFor(state.cid, m.branchId, m.id)),
});
probe.graph = graph;
const transcript = new Transcript($("transcript"));
const conv = () => api.convPath(state.cid);
const branchById = (bid) => (state.graph ? state.graph.branches.find((b) => b.id === bid) : null) ?? null;

// ---- routing -------------------------------------------------------------------------------------------

function parseRoute() {
  const parts = location.pathname.split("/").filter(Boolean);
  const dec = (v) => (v === undefined ? null : decodeURIComponent(v));
  const route = { cid: null, bid: null, mid: null, compare: null };
  if (parts[0] === "c") {
    route.cid = dec(parts[1]);
    if (parts[2] === "b") route.bid = dec(parts[3]);
    if (parts[4] === "m") route.mid = dec(parts[5]);
  }
  const cmp = new URLSearchParams(location.search).get("compare");
  if (cmp) route.compare = cmp.split(",").filter(Boolean);
  return route;
}

export function go(path, replace = false) {
  if (path !== location.pathname + location.search) history[replace ? "replaceState" : "pushState"](null, "", path);
  return route();
}

let routeSeq = 0;
async function route() {
  const seq = ++routeSeq;
  const r = parseRoute();
  try {
    if (!r.cid) return leaveConversation();
    let prefetched = null;
    if (r.cid !== state.cid || !state.graph) {
      // a URL that names the branch: read its history while the graph loads
      if (r.bid && !r.compare) prefetched = api.get(api.branchPath(r.cid, r.bid) + "/history");
      if (prefetched) prefetched.catch(() => {});
      await openConversation(r.cid);
    }
    if (seq !== routeSeq) return;
    const main = state.graph.branches.find((b) => b.isMain) ?? state.graph.branches[0];
    if (r.compare) return await showCompare(r.compare);
    hideCompare();
    const bid = r.bid ?? (main ? main.id : null);
    if (bid && bid !== state.bid) {
      state.loading = openBranch(bid, prefetched).catch((err) => {
        state.bid = null; // a later route loads it again
        throw err;
      });
    }
    await state.loading; // the branch this route shows, even when an earlier route started loading it
    if (seq !== routeSeq) return;
    selectMessage(r.mid);
  } catch (err) {
    banner(err.message);
  }
}

function leaveConversation() {
  state.cid = state.bid = state.mid = state.graph = null;
  $("conv").hidden = $("detail").hidden = true;
  document.body.classList.remove("has-conv");
  document.title = "ChatRoutes explorer";
  markList();
}

// ---- conversation list (list.js) ----------------------------------------------------------------------------

const { loadList, markList, refreshListTop } = bindList(state);
let listTimer = null;

// ---- a conversation: graph and branch panel ------------------------------------------------------------

async function openConversation(cid) {
  Object.assign(state, { cid, bid: null, mid: null, graph: null });
  state.collapsed.clear();
  state.picked.clear();
  const started = performance.now();
  const data = await api.get(api.convPath(cid) + "/graph");
  if (state.cid !== cid) return;
  const fetched = performance.now();
  $("conv").hidden = $("detail").hidden = false;
  document.body.classList.add("has-conv");
  applyGraph(data);
  probe.timings.graph = performance.now();
  probe.timings.graphFetchMs = fetched - started;
  probe.timings.graphDrawMs = probe.timings.graph - fetched;
  markList();
}

function applyGraph(data) {
  state.graph = data;
  state.version = data.version;
  const title = clean(data.conversation.title || "(untitled)");
  $("conv-title").textContent = title;
  document.title = title + " · ChatRoutes explorer";
  renderPanel();
  graph.branch = state.bid;
  graph.setData(data, state.collapsed);
  probe.graphs++;
}

function renderPanel() {
  if (!state.graph) return;
  renderBranches($("branches"), state.graph.branches, {
    collapsed: state.collapsed,
    current: state.bid,
    picked: state.picked,
    href: (bid) => pathFor(state.cid, bid),
  });
  $("compare-btn").disabled = state.picked.size < 2;
}

$("branches").addEventListener("click", (ev) => {
  const li = ev.target.closest("li.branch");
  if (!li) return;
  const bid = li.dataset.bid;
  const action = ev.target.closest("[data-action]")?.dataset.action;
  if (action === "toggle") {
    if (state.collapsed.has(bid)) state.collapsed.delete(bid);
    else state.collapsed.add(bid);
    renderPanel();
    graph.relayout(state.collapsed);
  }
});
$("branches").addEventListener("change", (ev) => {
  const li = ev.target.closest("li.branch");
  if (!li || !ev.target.classList.contains("pick")) return;
  if (ev.target.checked) state.picked.add(li.dataset.bid);
  else state.picked.delete(li.dataset.bid);
  $("compare-btn").disabled = state.picked.size < 2;
});
$("collapse-all").addEventListener("click", () => {
  for (const b of state.graph.branches) if ((b.childCount || 0) > 0 && !b.isMain) state.collapsed.add(b.id);
  renderPanel();
  graph.relayout(state.collapsed);
});
$("expand-all").addEventListener("click", () => {
  state.collapsed.clear();
  renderPanel();
  graph.relayout(state.collapsed);
});
$("compare-btn").addEventListener("click", () => {
  go(pathFor(state.cid) + "?compare=" + [...state.picked].map(encodeURIComponent).join(","));
});

// ---- a branch: transcript --------------------------------------------------------------------------------

async function openBranch(bid, prefetched) {
  state.bid = bid;
  state.mid = null;
  const b = branchById(bid);
  $("branch-title").textContent = clean((b && b.title) || "(untitled)");
  $("branch-badges").replaceChildren(...(b ? badges(b).filter(Boolean) : []));
  renderPanel();
  const started = performance.now();
  const data = await (prefetched ?? api.get(api.branchPath(state.cid, bid) + "/history"));
  if (state.bid !== bid) return;
  probe.timings.historyMs = performance.now() - started;
  transcript.set(data.items, null);
  graph.branch = bid;
  graph.draw();
  if (!state.busy) setMode({ kind: "send" });
  probe.shown++;
  probe.timings.shown = performance.now();
}

function selectMessage(mid) {
  state.mid = mid ?? null;
  transcript.select(state.mid);
  graph.select(state.mid, state.bid);
}

async function refreshGraph() {
  const cid = state.cid;
  const data = await api.get(conv() + "/graph");
  if (state.cid !== cid) return;
  applyGraph(data);
  if (state.bid && !branchById(state.bid)) go(pathFor(cid), true);
}

async function refreshHistory() {
  const bid = state.bid;
  const data = await api.get(api.branchPath(state.cid, bid) + "/history");
  if (state.bid === bid) transcript.append(data.items);
}

$("transcript").addEventListener("click", (ev) => {
  const art = ev.target.closest("article.msg");
  if (!art || !art.dataset.mid) return;
  const mid = art.dataset.mid;
  const button = ev.target.closest("button");
  if (!button) {
    if (!window.getSelection().toString()) go(pathFor(state.cid, state.bid, mid));
    return;
  }
  const action = button.dataset.action;
  const item = transcript.find(mid);
  if (action === "fork") setMode({ kind: "fork", messageId: mid });
  else if (action === "edit") setMode({ kind: "edit", messageId: mid }, textOf(item));
  else if (action === "models") setMode({ kind: "models", messageId: mid });
  else if (action === "regenerate") run("/regenerate", { messageId: mid, branchId: state.bid }, false);
});

function textOf(item) {
  if (!item) return "";
  return (item.steps || []).filter((st) => st.kind === "text").map((st) => st.text).join("\n");
}

// ---- compare --------------------------------------------------------------------------------------------

function showPanel(which) {
  $("transcript").hidden = which !== "transcript";
  $("compare").hidden = which !== "compare";
}

async function showCompare(ids) {
  const data = await api.get("/compare", { cid: state.cid, branches: ids.join(",") });
  const titles = new Map(state.graph.branches.map((b) => [b.id, b.title || b.id]));
  showPanel("compare");
  renderCompare($("compare"), data, titles);
}

function hideCompare() {
  showPanel("transcript");
}

$("compare").addEventListener("click", (ev) => {
  if (ev.target.closest("[data-action=close-compare]")) go(pathFor(state.cid, state.bid));
});

// ---- the composer and the branch actions (actions.js) ---------------------------------------------------

const { setMode, run } = bindActions({
  state, transcript, go, conv, branchById, refreshGraph, refreshHistory, selectMessage, showPanel,
});

// ---- live updates: apply only what changed ------------------------------------------------------------------

const pending = [];
let changeTimer = null;

/** One change stream for the page: the open conversation is patched, the list refreshes its first page. */
function startLive() {
  const onChange = (ev) => {
    if (state.cid && (ev.conversationId === state.cid || ev.kind === "reset")) {
      pending.push(ev);
      if (!changeTimer) changeTimer = setTimeout(applyChanges, 25);
    }
    if (ev.conversationId !== state.cid || ev.kind === "reset") {
      clearTimeout(listTimer);
      listTimer = setTimeout(() => refreshListTop().catch((err) => banner(err.message)), 150);
    }
  };
  api.changes(null, null, onChange, (ok) => $("live").classList.toggle("down", !ok));
}

/**
 * New messages on known branches: read only those branches' histories and add their new messages to the
 * graph already in the page (no graph refetch), so the cost follows what changed, not the tree's size.
 */
async function patchMessages(bids) {
  const g = state.graph;
  const known = new Set(g.messages.map((m) => m.id));
  let row = g.messages.reduce((max, m) => Math.max(max, m.row), -1);
  for (const bid of bids) {
    const data = await api.get(api.branchPath(state.cid, bid) + "/history");
    if (state.graph !== g) return;
    if (bid === state.bid) transcript.append(data.items);
    const branch = branchById(bid);
    let parent = null;
    for (const item of data.items) {
      if (!item.inherited && !known.has(item.id)) {
        g.messages.push({ id: item.id, branchId: bid, role: item.role, preview: stepsPreview(item),
          createdAt: item.createdAt, row: ++row, lane: branch.lane, parentMessageId: parent, model: item.model });
        branch.messageCount = (branch.messageCount || 0) + 1;
        g.conversation.updatedAt = item.createdAt || g.conversation.updatedAt;
        known.add(item.id);
      }
      parent = item.id;
    }
  }
  const drawn = performance.now();
  renderPanel();
  graph.setData(g, state.collapsed);
  probe.timings.updateDrawMs = performance.now() - drawn;
}

async function applyChanges() {
  changeTimer = null;
  const events = pending.splice(0);
  const started = performance.now();
  try {
    const onlyMessages = events.every((e) => e.kind === "message" && e.branchId && branchById(e.branchId));
    const bids = [...new Set(events.map((e) => e.branchId || ""))];
    if (onlyMessages && state.graph) await patchMessages(bids);
    else {
      await refreshGraph();
      if (state.bid && (bids.includes(state.bid) || bids.includes(""))) await refreshHistory();
    }
    const item = $("conversations").querySelector(`li.current .meta`);
    if (item && state.graph) {
      const g = state.graph;
      item.textContent = `${when(g.conversation.updatedAt)} · ${g.messages.length} messages · ${g.branches.length} branches`;
    }
  } catch (err) {
    banner(err.message);
  }
  probe.updates++;
  probe.timings.updateMs = performance.now() - started;
}

// ---- keys and start-up ----------------------------------------------------------------------------------

bindKeys({
  state,
  transcript,
  go,
  openListItem: (i) => {
    const c = state.list.items[i];
    if (c) go(pathFor(c.id));
  },
  markList,
  branchOrder: () => {
    const hidden = new Set();
    const out = [];
    for (const [b] of treeOrder(state.graph ? state.graph.branches : [])) {
      if (b.parentBranchId && (hidden.has(b.parentBranchId) || state.collapsed.has(b.parentBranchId))) hidden.add(b.id);
      else out.push(b);
    }
    return out;
  },
  selectMessage: (mid) => {
    transcript.select(mid);
    graph.select(mid, state.bid);
  },
  escape: () => (parseRoute().compare ? go(pathFor(state.cid, state.bid)) : setMode({ kind: "send" })),
});

document.addEventListener("click", (ev) => {
  const a = ev.target.closest("a[href]");
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const href = a.getAttribute("href");
  if (!href.startsWith("/")) return;
  ev.preventDefault();
  go(href);
});
window.addEventListener("popstate", () => route());

async function start() {
  try {
    state.session = await api.session();
  } catch (err) {
    banner(err.message);
    return;
  }
  const s = state.session;
  $("live").textContent = s.live === "push" ? "● live" : `● polling every ${s.pollSeconds}s`;
  const models = s.models || [];
  $("model").replaceChildren(h("option", { value: "", text: "default model" }), ...models.map((m) => h("option", { value: m, text: m })));
  $("models").replaceChildren(...models.map((m) => h("label", {}, h("input", { type: "checkbox", value: m }), m)));
  setMode({ kind: "send" });
  startLive();
  await Promise.all([loadList(true).catch((err) => banner(err.message)), route()]);
}

start();
