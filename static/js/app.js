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
