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
// Client picker (deal and task forms): type to search, arrow keys move through the options, Enter or a click picks
// one into the hidden id (which fires `change`, e.g. for the task form's deal options), Escape closes.
(() => {
  const parts = (el) => {
    const root = el.closest("[data-picker]");
    return root && { root, input: root.querySelector("[data-picker-input]"),
      hidden: root.querySelector("[data-picker-value]"), menu: root.querySelector("[data-picker-menu]") };
  };
  const options = (p) => Array.from(p.menu.querySelectorAll(".mrm-picker-option"));
  const open = (p, yes) => {
    p.menu.classList.toggle("show", yes && p.menu.children.length > 0);
    p.input.setAttribute("aria-expanded", p.menu.classList.contains("show") ? "true" : "false");
  };
  const mark = (p, index) => {
    const list = options(p);
    list.forEach((el, i) => {
      el.classList.toggle("active", i === index);
      el.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (list[index]) {
      p.input.setAttribute("aria-activedescendant", list[index].id);
      list[index].scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  };
  const setValue = (p, id, label) => {
    const changed = p.hidden.value !== id;
    p.hidden.value = id;
    if (label !== null) p.input.value = label;
    if (changed) p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const pick = (p, option) => { setValue(p, option.dataset.id, option.dataset.label); open(p, false); mark(p, -1); };
  // After settling, not after swapping: htmx's settle step copies the class of same-id options back from the
  // fresh response, which removed the highlight (and Enter then picked nothing).
  document.addEventListener("htmx:afterSettle", (event) => {
    const p = event.target.matches && event.target.matches("[data-picker-menu]") && parts(event.target);
    if (p) { open(p, document.activeElement === p.input); mark(p, options(p).length ? 0 : -1); }
  });
  document.addEventListener("input", (event) => {
    const p = event.target.matches("[data-picker-input]") && parts(event.target);
    if (p && p.hidden.value) setValue(p, "", null);  // the typed text no longer names the picked client
  });
  document.addEventListener("keydown", (event) => {
    const p = event.target.matches("[data-picker-input]") && parts(event.target);
    if (!p) return;
    const list = options(p);
    const current = list.findIndex((el) => el.classList.contains("active"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      open(p, true);
      mark(p, (current + (event.key === "ArrowDown" ? 1 : -1) + list.length) % list.length);
    } else if (event.key === "Enter" && p.menu.classList.contains("show")) {
      event.preventDefault();  // pick, do not submit the form
      if (list[current]) pick(p, list[current]);
    } else if (event.key === "Escape" && p.menu.classList.contains("show")) {
      event.preventDefault();
      open(p, false);
    }
  });
  document.addEventListener("mousedown", (event) => {
    const option = event.target.closest(".mrm-picker-option");
    if (option) event.preventDefault();  // keep the focus in the input until the click picks
  });
  document.addEventListener("click", (event) => {
    const option = event.target.closest(".mrm-picker-option");
    const p = option && parts(option);
    if (p) { pick(p, option); p.input.focus(); return; }
    document.querySelectorAll("[data-picker-menu].show").forEach((menu) => {
      if (!menu.closest("[data-picker]").contains(event.target)) open(parts(menu), false);
    });
  });
  document.addEventListener("focusin", (event) => {
    const p = event.target.matches("[data-picker-input]") && parts(event.target);
    if (p) open(p, true);
  });
})();

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
