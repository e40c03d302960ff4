// The weekly timesheet: arrow keys and Enter move between cells (a cell saves itself on change, via htmx).
(() => {
  const grid = document.querySelector("[data-timesheet]");
  if (!grid) return;
  const move = (input, rowStep, colStep) => {
    const cell = input.closest("td");
    const row = cell.parentElement;
    const col = Array.prototype.indexOf.call(row.children, cell);
    let target = null;
    if (rowStep) {
      let next = rowStep > 0 ? row.nextElementSibling : row.previousElementSibling;
      while (next && !target) {
        target = next.children[col] && next.children[col].querySelector("[data-ts-cell]:not([disabled])");
        next = rowStep > 0 ? next.nextElementSibling : next.previousElementSibling;
      }
    } else {
      const cells = Array.from(row.querySelectorAll("[data-ts-cell]:not([disabled])"));
      target = cells[cells.indexOf(input) + colStep];
    }
    if (target) { target.focus(); target.select(); }
  };
  grid.addEventListener("keydown", (event) => {
    const input = event.target.closest("[data-ts-cell]");
    if (!input) return;
    if (event.key === "Enter" || event.key === "ArrowDown") { event.preventDefault(); move(input, 1, 0); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(input, -1, 0); }
    else if (event.key === "ArrowRight" && input.selectionStart === input.value.length) { event.preventDefault(); move(input, 0, 1); }
    else if (event.key === "ArrowLeft" && input.selectionEnd === 0) { event.preventDefault(); move(input, 0, -1); }
  });
})();
