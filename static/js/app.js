// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const box = document.createElement("div");
  box.className = "alert alert-danger";
  box.setAttribute("role", "alert");
  const data = document.body.dataset;
  box.textContent = status === 403 ? data.err403 : status === 404 ? data.err404 : data.errOther;
  (document.querySelector("#main .container-xl") || document.body).prepend(box);
});
// "/" focuses the global search, like in most work tools.
document.addEventListener("keydown", (event) => {
  if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const search = document.getElementById("global-search");
    if (search) { event.preventDefault(); search.focus(); }
  }
});
// htmx 2 leaves 4xx answers unswapped; 422 is how our forms come back with their errors shown in place.
if (window.htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
}
// Global search dropdown: arrow keys move through the results, Enter opens one, Escape closes.
(() => {
  const input = document.getElementById("global-search");
  const box = document.getElementById("global-search-results");
  if (!input || !box) return;
  const items = () => Array.from(box.querySelectorAll(".mrm-search-item"));
  const open = (yes) => {
    box.classList.toggle("show", yes && box.children.length > 0);
    input.setAttribute("aria-expanded", box.classList.contains("show") ? "true" : "false");
  };
  const select = (index) => {
    const list = items();
    list.forEach((el, i) => {
      el.classList.toggle("active", i === index);
      el.setAttribute("aria-selected", i === index ? "true" : "false");
      if (!el.id) el.id = `global-search-item-${i}`;
    });
    if (list[index]) {
      input.setAttribute("aria-activedescendant", list[index].id);
      list[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const current = () => items().findIndex((el) => el.classList.contains("active"));
  box.addEventListener("htmx:afterSwap", () => { open(input.value.trim().length >= 2); select(-1); });
  input.addEventListener("keydown", (event) => {
    const list = items();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      open(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      select((current() + step + list.length) % list.length);
    } else if (event.key === "Enter") {
      const active = list[current()];
      if (active && box.classList.contains("show")) { event.preventDefault(); window.location.href = active.href; }
    } else if (event.key === "Escape") {
      if (box.classList.contains("show")) { event.preventDefault(); open(false); select(-1); }
      else { input.blur(); }
    }
  });
  input.addEventListener("focus", () => open(input.value.trim().length >= 2));
  document.addEventListener("click", (event) => { if (!event.target.closest(".mrm-search")) open(false); });
})();
// After a successful quick log the form comes back fresh (hx-swap-oob); keep the focus on the summary.
document.addEventListener("htmx:oobAfterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "timeline-log") {
    const first = document.querySelector("#timeline-items .mrm-item");
    if (first) first.classList.add("mrm-flash");
  }
});
// Bulk actions on a list: "select all on this page" ticks every row's box; the bar shows how many are ticked.
// The boxes may sit outside their <form> (rows with forms of their own) and join it with form="…".
(() => {
  const boxes = (form) => Array.from(form.elements).filter((el) => el.name === "ids");
  const refresh = (form) => {
    const all = boxes(form);
    const ticked = all.filter((el) => el.checked).length;
    form.querySelectorAll("[data-selected-count]").forEach((el) => { el.textContent = ticked; });
    Array.from(form.elements).filter((el) => el.matches("[data-select-all]")).forEach((box) => {
      box.checked = all.length > 0 && ticked === all.length;
      box.indeterminate = ticked > 0 && ticked < all.length;
    });
  };
  document.addEventListener("change", (event) => {
    const form = event.target.form;
    if (!form || !form.matches("[data-bulk]")) return;
    if (event.target.matches("[data-select-all]")) {
      boxes(form).forEach((box) => { box.checked = event.target.checked; });
    }
    refresh(form);
  });
})();
