// Shared by the pipelines pages: toasts, and showing htmx error fragments (403/404/409/422)
// inside areas marked data-swap-errors instead of dropping them silently. A field form
// opened in place takes the focus, and Escape cancels it.
(() => {
  "use strict";

  function toast(message, kind) {
    const box = document.getElementById("toasts");
    if (!box) { window.alert(message); return; }
    const el = document.createElement("div");
    el.className = `toast align-items-center border-0 text-bg-${kind || "danger"}`;
    el.setAttribute("role", kind === "success" ? "status" : "alert");
    const row = document.createElement("div");
    row.className = "d-flex";
    const body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
    row.append(body, close);
    el.append(row);
    box.append(el);
    el.addEventListener("hidden.bs.toast", () => el.remove());
    if (window.bootstrap) {
      window.bootstrap.Toast.getOrCreateInstance(el, { delay: kind === "success" ? 2500 : 7000 }).show();
    } else {
      el.classList.add("show");
    }
  }

  function csrfToken() {
    const headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch { return ""; }
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    const inside = event.detail.target && event.detail.target.closest("[data-swap-errors]");
    if (inside && [403, 404, 409, 422].includes(status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", (event) => {
    const form = event.detail.elt;
    if (form && form.matches && form.matches("form.deal-field")) {
      const first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    }
  });

  document.addEventListener("keydown", (event) => {
    const form = event.key === "Escape" && event.target.closest && event.target.closest("form.deal-field");
    if (form) form.querySelector(".field-cancel")?.click();
  });

  window.lejek = { toast, csrfToken };
})();
