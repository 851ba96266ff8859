// The board: drag a card to another column (or use its "Move to…" menu) to move the deal.
// The server answers with the new card and every column head; on refusal the card goes back.
(() => {
  "use strict";
  const board = document.getElementById("board");
  if (!board) return;
  let dragged = null;
  let origin = null;

  const column = (el) => el && el.closest(".board-column");
  const cardsOf = (col) => col.querySelector(".board-cards");
  const replace = (el, html) => {
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    const fresh = tpl.content.firstElementChild;
    el.replaceWith(fresh);
    return fresh;
  };

  function move(card, stageId, overrideReason) {
    const from = column(card);
    const target = board.querySelector(`.board-column[data-stage-id="${stageId}"]`);
    if (!target || from === target) return;
    const back = { list: card.parentElement, next: card.nextElementSibling };
    cardsOf(target).prepend(card);
    card.classList.add("saving");
    card.setAttribute("aria-busy", "true");
    const body = new FormData();
    body.append("stage_id", stageId);
    body.append("version", card.dataset.version);
    body.append("override_reason", overrideReason || "");
    const url = board.dataset.moveUrl.replace("/0/", `/${card.dataset.dealId}/`);
    const query = board.dataset.filterQuery ? `?${board.dataset.filterQuery}` : "";
    fetch(url + query, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": window.lejek.csrfToken(), Accept: "application/json" },
    })
      .then(async (response) => {
        const data = await response.json().catch(() => ({}));
        if (!response.ok || !data.ok) {
          const refusal = new Error(data.message || board.dataset.failed);
          refusal.canOverride = Boolean(data.can_override);
          throw refusal;
        }
        return data;
      })
      .then((data) => {
        const fresh = replace(card, data.card);
        for (const [id, html] of Object.entries(data.columns)) {
          const head = document.getElementById(`col-head-${id}`);
          if (head) replace(head, html);
        }
        const summary = document.getElementById("board-summary");
        if (summary && data.summary) replace(summary, data.summary);
        fresh.focus();
      })
      .catch((error) => {
        card.classList.remove("saving");
        card.removeAttribute("aria-busy");
        back.list.insertBefore(card, back.next);
        card.focus();
        if (error.canOverride) askOverride(card, stageId, error.message);
        else window.lejek.toast(error.message, "danger");
      });
  }

  // A stage checklist blocks the move; managers and admins may move on by giving a reason.
  function askOverride(card, stageId, message) {
    const modal = document.getElementById("override-modal");
    if (!modal || !window.bootstrap) { window.lejek.toast(message, "danger"); return; }
    const form = modal.querySelector("form");
    modal.querySelector(".override-message").textContent = message;
    form.reset();
    form.onsubmit = (event) => {
      event.preventDefault();
      const reason = form.elements.reason.value.trim();
      if (!reason) return;
      window.bootstrap.Modal.getOrCreateInstance(modal).hide();
      move(card, stageId, reason);
    };
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    origin = column(card);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    requestAnimationFrame(() => card.classList.add("dragging"));
  });

  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
    dragged = null;
  });

  board.addEventListener("dragover", (event) => {
    const col = column(event.target);
    if (!dragged || !col) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (col !== origin) col.classList.add("drop-target");
  });

  board.addEventListener("dragleave", (event) => {
    const col = column(event.target);
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("drop-target");
  });

  board.addEventListener("drop", (event) => {
    const col = column(event.target);
    if (!dragged || !col) return;
    event.preventDefault();
    col.classList.remove("drop-target");
    const card = dragged;
    dragged.classList.remove("dragging");
    dragged = null;
    move(card, col.dataset.stageId);
  });

  // The keyboard way: the card's "Move to…" menu (M on a focused card opens it). One list of
  // stages is drawn per board and copied into a card's menu when it opens.
  const options = document.getElementById("move-options");
  board.addEventListener("show.bs.dropdown", (event) => {
    const card = event.target.closest(".deal-card");
    const menu = card && card.querySelector(".move-menu");
    if (!menu || !options) return;
    menu.replaceChildren(options.content.cloneNode(true));
    menu.querySelectorAll("[data-stage-id]").forEach((item) => {
      if (item.dataset.stageId === card.dataset.stageId) {
        item.disabled = true;
        item.setAttribute("aria-current", "true");
      }
    });
  });

  board.addEventListener("click", (event) => {
    const choice = event.target.closest(".move-menu [data-stage-id]");
    if (choice) move(choice.closest(".deal-card"), choice.dataset.stageId);
  });

  board.addEventListener("keydown", (event) => {
    const card = event.target.classList && event.target.classList.contains("deal-card") ? event.target : null;
    if (card && (event.key === "m" || event.key === "M")) {
      event.preventDefault();
      card.querySelector(".move-toggle").click();
    }
  });

  // A card moved in since a column was first drawn may come again with "load more": keep one.
  document.addEventListener("htmx:afterSwap", () => {
    const seen = new Set();
    board.querySelectorAll(".deal-card").forEach((card) => {
      if (seen.has(card.id)) card.remove();
      else seen.add(card.id);
    });
  });

  // Filters apply as soon as a select or the checkbox changes.
  const filters = document.querySelector(".board-filters");
  if (filters) {
    filters.addEventListener("change", (event) => {
      if (event.target.matches("select, input[type=checkbox]")) filters.requestSubmit();
    });
  }
})();
