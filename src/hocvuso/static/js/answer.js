// Test pages: send the answer without leaving the page, so a dropped
// connection shows a Vietnamese message and a retry button instead of the
// browser's offline page. Answers carry their attempt id, so a retry never
// counts twice. Without this file the form posts as usual.
(function () {
  const form = document.querySelector("form.question");
  const box = document.getElementById("offline-note");
  if (!form || !box || !window.fetch) return;
  const retry = box.querySelector("button");
  let sending = false;

  function show(on) {
    box.hidden = !on;
    if (on) box.focus();
  }

  async function send() {
    if (sending) return;
    sending = true;
    show(false);
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "follow",
      });
      if (response.redirected) {
        window.location.assign(response.url);
        return;
      }
      // Not accepted (no choice made, the session ended…): let the server's
      // own page say why, by posting the form the ordinary way.
      form.submit();
    } catch (err) {
      sending = false;
      show(true);
    }
  }

  form.addEventListener("submit", (event) => {
    if (!form.checkValidity()) return;
    event.preventDefault();
    send();
  });
  retry.addEventListener("click", send);
  window.addEventListener("online", () => { if (!box.hidden) send(); });
})();
