// The conversation list: newest first, search by title, paging, and a refresh of its first page when another
// process writes.

import * as api from "./api.js";
import { $, h, clean, when, pathFor } from "./dom.js";
import { banner } from "./ui.js";

export function bindList(state) {
  async function loadList(reset) {
    const list = state.list;
    const seq = ++list.seq;
    const data = await api.get("/conversations", { q: list.q, cursor: reset ? null : list.cursor, limit: 50 });
    if (seq !== list.seq) return;
    if (reset) {
      list.items = [];
      list.selected = -1;
      $("conversations").replaceChildren();
    }
    list.items.push(...data.items);
    list.cursor = data.nextCursor;
    $("conversations").append(...data.items.map(listItem));
    $("more").hidden = !data.nextCursor;
    $("empty").hidden = list.items.length > 0;
    markList();
  }

  function listItem(c) {
    const meta = `${when(c.updatedAt)} · ${c.messageCount} messages · ${c.branchCount} branches`;
    return h(
      "li",
      { class: "conv-item", dataset: { cid: c.id } },
      h(
        "a",
        { href: pathFor(c.id) },
        h("span", { class: "ctitle", dir: "auto", text: clean(c.title || "(untitled)") }),
        h("span", { class: "meta", text: meta }),
      ),
    );
  }

  function markList() {
    const items = $("conversations").children;
    for (let i = 0; i < items.length; i++) {
      items[i].classList.toggle("current", items[i].dataset.cid === state.cid);
      items[i].classList.toggle("kbd", i === state.list.selected);
    }
  }

  let searchTimer = null;
  $("search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.list.q = $("search").value.trim();
      loadList(true).catch((err) => banner(err.message));
    }, 200);
  });
  $("more").addEventListener("click", () => loadList(false).catch((err) => banner(err.message)));

  /** Another process wrote: the first page of the list again, its conversations moved to the top. */
  async function refreshListTop() {
    const list = state.list;
    const seq = list.seq;
    const data = await api.get("/conversations", { q: list.q, limit: 50 });
    if (seq !== list.seq) return;
    const ids = new Set(data.items.map((c) => c.id));
    for (const li of [...$("conversations").children]) if (ids.has(li.dataset.cid)) li.remove();
    list.items = [...data.items, ...list.items.filter((c) => !ids.has(c.id))];
    $("conversations").prepend(...data.items.map(listItem));
    if (!list.cursor && data.nextCursor) list.cursor = data.nextCursor;
    $("more").hidden = !list.cursor;
    $("empty").hidden = list.items.length > 0;
    markList();
  }

  return { loadList, markList, refreshListTop };
}
