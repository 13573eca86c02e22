// Keyboard navigation: j/k or arrows through messages (or conversations), [ and ] through branches,
// Enter opens the selection, Escape closes compare or the fork/edit mode.

import { pathFor } from "./dom.js";

export function bindKeys(ctx) {
  let cursor = null; // the message selected by the keyboard, opened with Enter

  function move(step) {
    const { state, transcript } = ctx;
    if (!state.cid) {
      const n = state.list.items.length;
      if (!n) return;
      state.list.selected = Math.max(0, Math.min(n - 1, state.list.selected + step));
      ctx.markList();
      const li = document.getElementById("conversations").children[state.list.selected];
      if (li) li.scrollIntoView({ block: "nearest" });
      return;
    }
    const items = transcript.items;
    if (!items.length) return;
    const at = items.findIndex((i) => i.id === (cursor ?? state.mid));
    const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, at + step));
    cursor = items[next].id;
    ctx.selectMessage(cursor);
  }

  function branch(step) {
    const { state } = ctx;
    if (!state.cid) return;
    const order = ctx.branchOrder();
    const at = order.findIndex((b) => b.id === state.bid);
    const next = order[Math.max(0, Math.min(order.length - 1, at + step))];
    if (next && next.id !== state.bid) ctx.go(pathFor(state.cid, next.id));
  }

  function open() {
    const { state } = ctx;
    if (!state.cid) return ctx.openListItem(state.list.selected);
    if (cursor) ctx.go(pathFor(state.cid, state.bid, cursor));
  }

  window.addEventListener("popstate", () => (cursor = null));
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target;
    if (target.closest && target.closest("input, textarea, select, dialog")) return;
    if (ev.key === "Enter" && target.closest && target.closest("a, button")) return;
    const actions = {
      j: () => move(1),
      ArrowDown: () => move(1),
      k: () => move(-1),
      ArrowUp: () => move(-1),
      "]": () => branch(1),
      "[": () => branch(-1),
      Enter: () => open(),
      Escape: () => ctx.escape(),
    };
    const action = actions[ev.key];
    if (!action) return;
    ev.preventDefault();
    cursor = ev.key === "[" || ev.key === "]" ? null : cursor;
    action();
  });
}
