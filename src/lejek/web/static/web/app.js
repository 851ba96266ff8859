// Small behaviour shared by every page: the search box, list row selection, error toasts.
(function () {
  "use strict";

  const search = () => document.getElementById("global-search");
  const results = () => document.getElementById("search-results");

  // "/" jumps to the search box from anywhere outside a text field.
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && search()) {
      event.preventDefault();
      search().focus();
      search().select();
    }
  });

  // Arrow keys move through the results, Enter opens one, Escape closes the list.
  document.addEventListener("keydown", (event) => {
    const box = results();
    if (!box || !box.contains(document.activeElement) && document.activeElement !== search()) return;
    const links = Array.from(box.querySelectorAll("a.list-group-item"));
    const index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && links.length) {
      event.preventDefault();
      if (index <= 0) search().focus(); else links[index - 1].focus();
    } else if (event.key === "Enter" && document.activeElement === search() && links.length) {
      event.preventDefault();
      links[0].click();
    } else if (event.key === "Escape") {
      box.innerHTML = "";
      search().focus();
    }
  });

  document.addEventListener("click", (event) => {
    const box = results();
    if (box && !event.target.closest(".global-search")) box.innerHTML = "";
  });

  // List pages: select rows, select all, and show the bulk bar while something is selected.
  function refreshSelection(table) {
    const form = table.closest("form");
    const boxes = table.querySelectorAll("input[name=ids]");
    const checked = Array.from(boxes).filter((box) => box.checked);
    boxes.forEach((box) => box.closest("tr").classList.toggle("selected", box.checked));
    const all = table.querySelector("input.select-all");
    if (all) {
      all.checked = checked.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    const bar = form && form.querySelector(".bulk-bar");
    if (bar) {
      bar.classList.toggle("d-none", checked.length === 0);
      const count = bar.querySelector(".bulk-count");
      if (count) count.textContent = checked.length;
    }
  }

  document.addEventListener("change", (event) => {
    const table = event.target.closest("table.selectable");
    if (!table) return;
    if (event.target.classList.contains("select-all")) {
      table.querySelectorAll("input[name=ids]").forEach((box) => { box.checked = event.target.checked; });
    }
    refreshSelection(table);
  });

  document.addEventListener("htmx:afterSettle", () => {
    document.querySelectorAll("table.selectable").forEach(refreshSelection);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table.selectable").forEach(refreshSelection);
  });

  // List filters: leave empty fields out of the address, so it stays short and shareable.
  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.verb !== "get" || !event.detail.elt.closest("#list")) return;
    const params = event.detail.parameters;
    Object.keys(params).forEach((key) => {
      if (params[key] === "") delete params[key];
    });
  });

  // Failures htmx does not swap (server errors, lost connection) still tell the user.
  function showError() {
    const toast = document.getElementById("error-toast");
    if (toast && window.bootstrap) window.bootstrap.Toast.getOrCreateInstance(toast).show();
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
})();
