// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Hide the "search" submit button of commune pickers when HTMX updates the list live.
  if (window.htmx) {
    document.querySelectorAll("[data-js-hide]").forEach((el) => { el.hidden = true; });
  }
});
