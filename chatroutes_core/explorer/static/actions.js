// The composer (send, fork here, edit, regenerate, ask several models) and the branch actions (rename,
// merge, delete, checkpoint). A failed action shows its error and keeps what was typed.

import * as api from "./api.js";
import { $, clean, pathFor } from "./dom.js";
import { modelColumns } from "./compare.js";
import { ask, banner, clearBanner } from "./ui.js";

export function bindActions(ctx) {
  const { state, transcript, go, conv, branchById, refreshGraph, refreshHistory, selectMessage, showPanel } = ctx;

  // ---- the composer: send, fork, edit, regenerate, ask models ------------------------------------------------

  const MODES = {
    send: ["Send on this branch", "Send"],
    fork: ["Fork at the selected message and send (a new branch)", "Fork and send"],
    edit: ["Edit: a new branch forked before this message, with this text", "Save as a new branch"],
    models: ["Ask several models from this message: one branch per model", "Ask models"],
  };

  function setMode(mode, text) {
    state.mode = mode;
    const [label, button] = MODES[mode.kind];
    $("composer").dataset.mode = mode.kind;
    $("composer-mode").textContent = label;
    $("composer-cancel").hidden = mode.kind === "send";
    $("fork-title").hidden = mode.kind !== "fork";
    $("model").hidden = mode.kind === "models";
    $("models").hidden = mode.kind !== "models";
    $("send").textContent = button;
    $("composer-error").textContent = "";
    if (text !== undefined) $("content").value = text;
    if (mode.kind !== "send") $("content").focus();
  }
  $("composer-cancel").addEventListener("click", () => setMode({ kind: "send" }));

  $("composer").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (state.busy || !state.cid) return;
    const content = $("content").value;
    const mode = state.mode;
    const model = $("model").value || undefined;
    if (!content.trim()) {
      $("composer-error").textContent = "Type a message first.";
      return;
    }
    if (mode.kind === "send") run("/send", { branchId: state.bid, content, model }, true);
    else if (mode.kind === "fork") {
      const title = $("fork-title").value.trim() || undefined;
      run("/fork", { messageId: mode.messageId, content, title, model }, true);
    } else if (mode.kind === "edit") run("/edit", { messageId: mode.messageId, content, branchId: state.bid }, true);
    else askModels(mode.messageId, content);
  });

  function setBusy(busy) {
    state.busy = busy;
    $("send").disabled = busy;
    $("composer").classList.toggle("busy", busy);
  }

  /** Run a streaming action; the reply streams into the transcript. A failure keeps what was typed. */
  async function run(path, body, typed) {
    if (state.busy) return;
    setBusy(true);
    $("composer-error").textContent = "";
    const cid = state.cid;
    const live = transcript.streaming("assistant · streaming");
    let forked = null;
    try {
      const result = await api.stream(conv() + path, body, {
        branch: (d) => (forked = d.branchId),
        delta: (d) => live.add(d.text ?? ""),
      });
      if (typed) {
        $("content").value = "";
        $("fork-title").value = "";
      }
      setMode({ kind: "send" });
      const bid = (result && result.branchId) || forked || state.bid;
      const mid = result && result.message ? result.message.id : null;
      if (state.cid !== cid) return;
      await refreshGraph();
      if (bid === state.bid) {
        await refreshHistory();
        live.remove();
        if (mid) selectMessage(mid);
      } else {
        live.remove();
        await go(pathFor(cid, bid, mid));
      }
    } catch (err) {
      live.remove();
      $("composer-error").textContent = err.message;
    } finally {
      setBusy(false);
    }
  }

  async function askModels(messageId, content) {
    const models = [...$("models").querySelectorAll("input:checked")].map((i) => i.value);
    if (models.length < 2) {
      $("composer-error").textContent = "Pick at least two models.";
      return;
    }
    setBusy(true);
    $("composer-error").textContent = "";
    showPanel("compare");
    const cols = modelColumns($("compare"));
    const names = new Map();
    const ids = [];
    const note = (d) => {
      if (d.branchId && !ids.includes(d.branchId)) ids.push(d.branchId);
      if (d.branchId && d.model) names.set(d.branchId, d.model);
    };
    try {
      const result = await api.stream(conv() + "/compare", { messageId, models, content }, {
        branch: note,
        delta: (d) => {
          note(d);
          cols.add(d.branchId ?? d.model ?? "?", names.get(d.branchId) ?? d.model ?? d.branchId ?? "", d.text ?? "");
        },
      });
      const rows = Array.isArray(result) ? result : (result && (result.results || result.items || result.branches)) || [];
      for (const r of rows) {
        note(r);
        if (typeof r.text === "string") cols.set(r.branchId, r.model ?? r.branchId, r.text);
      }
      $("content").value = "";
      setMode({ kind: "send" });
      await refreshGraph();
      if (ids.length >= 2) await go(pathFor(state.cid) + "?compare=" + ids.map(encodeURIComponent).join(","));
    } catch (err) {
      $("composer-error").textContent = err.message;
      showPanel("transcript");
    } finally {
      setBusy(false);
    }
  }

  // ---- branch actions: rename, merge, delete, checkpoint -------------------------------------------------------

  async function branchAction(fn, done) {
    try {
      clearBanner();
      await fn();
      await refreshGraph();
      if (done) banner(done, "info");
    } catch (err) {
      banner(err.message);
    }
  }

  $("rename").addEventListener("click", async () => {
    const b = branchById(state.bid);
    const title = await ask({ text: "New title for this branch", input: (b && b.title) || "", ok: "Rename" });
    if (title === null || !title.trim()) return;
    await branchAction(() => api.call("PATCH", api.branchPath(state.cid, state.bid), { title: title.trim() }), "Renamed.");
    const nb = branchById(state.bid);
    if (nb) $("branch-title").textContent = clean(nb.title || "(untitled)");
  });
  $("merge").addEventListener("click", async () => {
    const b = branchById(state.bid);
    const parent = b && b.parentBranchId ? branchById(b.parentBranchId) : null;
    if (!parent) return banner("Only a forked branch can be merged (into the branch it forked from).");
    const text = `Merge “${clean(b.title || b.id)}” into the branch it forked from, “${clean(parent.title || parent.id)}”?`;
    if ((await ask({ text, ok: "Merge" })) === null) return;
    const body = { targetBranchId: parent.id };
    await branchAction(() => api.call("POST", api.branchPath(state.cid, state.bid) + "/merge", body), "Merged.");
  });
  $("delete").addEventListener("click", async () => {
    const b = branchById(state.bid);
    const text = `Delete the branch “${clean((b && b.title) || state.bid)}” and its messages? This cannot be undone.`;
    if ((await ask({ text, ok: "Delete" })) === null) return;
    const cid = state.cid;
    await branchAction(() => api.call("DELETE", api.branchPath(cid, state.bid)), "Deleted.");
  });
  $("checkpoint").addEventListener("click", () =>
    branchAction(() => api.call("POST", api.branchPath(state.cid, state.bid) + "/checkpoint", {}), "Checkpoint created."),
  );

  return { setMode, run };
}
