// Pipeline editor: drag a stage row by its handle to reorder; the new order is saved at once.
(() => {
  "use strict";
  const list = document.getElementById("stage-list");
  if (!list) return;
  let dragged = null;
  let before = [];

  const order = () => [...list.querySelectorAll(".stage-row")].map((row) => row.dataset.stageId);
  const clearMarks = () => list.querySelectorAll(".drop-above").forEach((row) => row.classList.remove("drop-above"));

  // Only the handle is draggable, so the inputs in a row stay selectable.
  list.addEventListener("dragstart", (event) => {
    const handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle) return;
    dragged = handle.closest(".stage-row");
    before = order();
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.stageId);
    event.dataTransfer.setDragImage(dragged, 12, 12);
    requestAnimationFrame(() => dragged && dragged.classList.add("dragging"));
  });

  list.addEventListener("dragover", (event) => {
    const row = event.target.closest(".stage-row");
    if (!dragged || !row) return;
    event.preventDefault();
    clearMarks();
    if (row !== dragged) row.classList.add("drop-above");
  });

  list.addEventListener("drop", (event) => {
    const row = event.target.closest(".stage-row");
    if (!dragged || !row) return;
    event.preventDefault();
    clearMarks();
    if (row !== dragged) list.insertBefore(dragged, row);
    save();
  });

  list.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    clearMarks();
    dragged = null;
  });

  function save() {
    const now = order();
    if (now.join() === before.join()) return;
    const body = new FormData();
    now.forEach((id) => body.append("stage_ids", id));
    fetch(list.dataset.orderUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": list.dataset.csrf, Accept: "application/json" },
    })
      .then(async (response) => {
        const data = await response.json().catch(() => ({}));
        if (!response.ok || !data.ok) throw new Error(data.message || response.statusText);
        // The arrows' disabled states depend on position: redraw the page.
        window.location.reload();
      })
      .catch((error) => {
        window.lejek.toast(error.message, "danger");
        window.setTimeout(() => window.location.reload(), 1500);
      });
  }
})();
