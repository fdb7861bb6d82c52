// The "Print" button of a printable page (no inline script: CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});
