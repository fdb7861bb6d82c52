// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Hide the "search" submit button of commune pickers when HTMX updates the list live.
  if (window.htmx) {
    document.querySelectorAll("[data-js-hide]").forEach((el) => { el.hidden = true; });
  }
});

// "Listen": read the lesson aloud with the browser's speech synthesis, only
// when a voice for the page's language exists.
(function () {
  const btn = document.getElementById("listen");
  if (!btn || !("speechSynthesis" in window)) return;
  const lang = (btn.dataset.lang || "vi").slice(0, 2);
  const label = btn.textContent;
  function voice() {
    return speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(lang));
  }
  function setup() { if (voice()) btn.hidden = false; }
  setup();
  speechSynthesis.addEventListener("voiceschanged", setup);
  btn.addEventListener("click", () => {
    if (speechSynthesis.speaking) { speechSynthesis.cancel(); btn.textContent = label; return; }
    const text = document.querySelector(btn.dataset.listen).innerText;
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice(); u.lang = u.voice ? u.voice.lang : lang;
    u.onend = () => { btn.textContent = label; };
    btn.textContent = btn.dataset.stop;
    speechSynthesis.speak(u);
  });
})();
