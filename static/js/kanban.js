// Deals kanban (/clients/deals/): HTML5 drag and drop moves a card between columns, then posts the move with
// htmx; the board comes back re-rendered with fresh column totals. Dropping on "Lost" asks for the reason first.
// Each card's "Move" button opens one dialog shared by the board; without JavaScript the card's title opens the
// deal's edit page, where the stage and the reason are fields.
(() => {
  if (!window.htmx) return;
  document.documentElement.classList.add("mrm-js"); // the cards' "Move" buttons need this script
  let dragged = null;
  let origin = null;
  let dropped = false;

  const board = () => document.getElementById("board");
  const csrf = () => {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  };
  const refresh = () => {
    const el = board();
    if (el) htmx.ajax("GET", el.dataset.boardUrl, { target: "#board", swap: "outerHTML" });
  };
  // Cards carry no per-card URLs or data attributes (a board has hundreds): the id comes from the element
  // id ("deal-<uuid>"), the stage from the column, the move URL from the board's template.
  const dealId = (card) => card.id.slice(5);
  const stageOf = (el) => el.closest(".mrm-col").dataset.stage;
  // Columns are pipeline stages (ids); the lost one is marked by its code.
  const isLost = (id) => !!id && (id === "lost" || !!document.querySelector(`.mrm-col[data-code="lost"][data-stage="${CSS.escape(id)}"]`));
  const moveUrl = (card) => board().dataset.moveUrl.replace("{id}", dealId(card));
  const post = (card, values) => {
    card.classList.add("is-saving");
    htmx.ajax("POST", moveUrl(card) + window.location.search, {
      target: "#board", swap: "outerHTML", values, headers: { "X-CSRFToken": csrf() },
    });
  };
  const cardBelow = (list, y) => Array.from(list.querySelectorAll(".mrm-deal:not(.is-dragging)"))
    .find((c) => { const r = c.getBoundingClientRect(); return y < r.top + r.height / 2; }) || null;
  const columnOf = (target) => (target && target.closest ? target.closest(".mrm-col") : null);

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".mrm-deal[draggable=true]");
    if (!card || !board() || !board().dataset.canMove) return;
    dragged = card;
    dropped = false;
    origin = { list: card.parentElement, next: card.nextElementSibling, stage: stageOf(card) };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dealId(card));
    requestAnimationFrame(() => card.classList.add("is-dragging"));
  });

  document.addEventListener("dragover", (event) => {
    const column = dragged && columnOf(event.target);
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".mrm-col.is-over").forEach((c) => { if (c !== column) c.classList.remove("is-over"); });
    column.classList.add("is-over");
    const list = column.querySelector(".mrm-col-cards");
    const below = cardBelow(list, event.clientY);
    if (below) {
      if (below !== dragged.nextElementSibling) list.insertBefore(dragged, below);
    } else if (list.lastElementChild !== dragged) {
      list.appendChild(dragged);
    }
  });

  document.addEventListener("drop", (event) => {
    const column = dragged && columnOf(event.target);
    if (!column) return;
    event.preventDefault();
    dropped = true;
    const card = dragged;
    const stage = column.dataset.stage;
    const next = card.nextElementSibling && card.nextElementSibling.matches(".mrm-deal") ? card.nextElementSibling : null;
    if (card.parentElement === origin.list && card.nextElementSibling === origin.next) return; // not moved
    if (isLost(stage) && !isLost(origin.stage)) { askReason(card, next ? dealId(next) : ""); return; }
    post(card, { stage, before: next ? dealId(next) : "" });
  });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("is-dragging");
    document.querySelectorAll(".mrm-col.is-over").forEach((c) => c.classList.remove("is-over"));
    if (!dropped && origin) origin.list.insertBefore(dragged, origin.next); // dropped outside: put it back
    dragged = null;
  });

  // A move the server refused (e.g. 403 or 404): show the board as it really is.
  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.target && event.detail.target.id === "board") refresh();
  });

  // One move dialog for the whole board (rendered once, not a form per card): opened by a card's "Move"
  // link (keyboard path) or by a drop on "Lost", which needs a reason. Without JS the link opens the edit page.
  const dialog = () => document.getElementById("move-dialog");
  const form = () => document.getElementById("move-form");
  const syncLost = () => {
    const f = form();
    document.getElementById("move-lost").hidden = !isLost(f.elements.stage.value);
  };
  const openMove = (card, stage, before) => {
    const d = dialog();
    const f = form();
    if (!d || typeof d.showModal !== "function") { post(card, { stage, before }); return false; }
    f.action = moveUrl(card) + window.location.search;
    f.dataset.card = card.id;
    f.elements.stage.value = stage;
    f.elements.before.value = before;
    f.elements.lost_reason.value = "";
    const title = card.querySelector(".mrm-deal-title");
    document.getElementById("move-dialog-deal").textContent = title ? title.textContent : "";
    syncLost();
    d.returnValue = "";
    d.showModal();
    (isLost(stage) ? f.elements.lost_reason : f.elements.stage).focus();
    return true;
  };
  const askReason = (card, before) => openMove(card, (document.querySelector('.mrm-col[data-code="lost"]') || { dataset: { stage: "lost" } }).dataset.stage, before);
  document.addEventListener("change", (event) => { if (event.target.id === "move-stage") syncLost(); });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-move]");
    if (!link || !dialog()) return;
    const card = link.closest(".mrm-deal");
    if (!card) return;
    event.preventDefault();
    openMove(card, stageOf(card), "");
  });
  document.addEventListener("submit", (event) => {
    const f = event.target;
    if (f.id !== "move-form") return;
    event.preventDefault();
    const reason = f.elements.lost_reason;
    const stage = f.elements.stage.value;
    if (isLost(stage) && !reason.value.trim()) { reason.required = true; reason.reportValidity(); return; }
    reason.required = false;
    dialog().close("sent");
    const card = document.getElementById(f.dataset.card);
    post(card, { stage, before: f.elements.before.value, lost_reason: isLost(stage) ? reason.value.trim() : "" });
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-dialog-cancel]")) dialog().close("cancel");
  });
  document.addEventListener("close", (event) => {
    if (event.target.id === "move-dialog" && event.target.returnValue !== "sent") refresh();
  }, true);
})();
