// In-page dialogs (never window.alert/confirm/prompt) and the error banner.

import { $ } from "./dom.js";

/** Ask in the page's <dialog>: {text, input?: default value, options?: [[value, label]]}; resolves null on cancel. */
export function ask({ text, input, options, ok = "OK" }) {
  const dialog = $("dialog");
  const field = $("dialog-input");
  const select = $("dialog-select");
  $("dialog-text").textContent = text;
  $("dialog-ok").textContent = ok;
  field.hidden = input === undefined;
  field.value = input ?? "";
  select.hidden = !options;
  select.replaceChildren();
  for (const [value, label] of options || []) {
    const opt = document.createElement("option");
    opt.value = value;
    opt.textContent = label;
    select.append(opt);
  }
  dialog.returnValue = "";
  dialog.showModal();
  if (input !== undefined) field.focus();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue !== "ok") resolve(null);
        else resolve(options ? select.value : input !== undefined ? field.value : true);
      },
      { once: true },
    );
  });
}

let bannerTimer = null;

export function banner(message, kind = "error") {
  const el = $("banner");
  el.textContent = message;
  el.className = "banner " + kind;
  el.hidden = false;
  clearTimeout(bannerTimer);
  if (kind !== "error") bannerTimer = setTimeout(() => (el.hidden = true), 3000);
}

export function clearBanner() {
  $("banner").hidden = true;
}
