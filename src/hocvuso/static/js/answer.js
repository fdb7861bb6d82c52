// Test pages: when the phone is offline, keep the page (and the chosen
// answer) and say so in Vietnamese with a retry button, instead of the
// browser's own offline page. Sending is retried as soon as the phone is back
// online. Answers carry their attempt id, so a retry never counts twice.
// Online, the form posts as usual; without this file too.
(function () {
  const form = document.querySelector("form.question");
  const box = document.getElementById("offline-note");
  if (!form || !box) return;
  const retry = box.querySelector("button");

  function offline() {
    return navigator.onLine === false;
  }
  function show() {
    box.hidden = false;
    box.focus();
  }
  function send() {
    if (offline()) { show(); return; }
    box.hidden = true;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  form.addEventListener("submit", (event) => {
    if (!offline()) return;
    event.preventDefault();
    show();
  });
  retry.addEventListener("click", send);
  window.addEventListener("online", () => { if (!box.hidden) send(); });
})();
