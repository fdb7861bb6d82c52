// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Hide the "search" submit button of commune pickers when HTMX updates the list live.
  if (window.htmx) {
    document.querySelectorAll("[data-js-hide]").forEach((el) => { el.hidden = true; });
  }
});

// "Listen": read a text aloud (a lesson, an assistant's answer) with the
// browser's speech synthesis, only when a voice for its language exists. Any
// button with data-listen="<selector of the text>" works, also one that HTMX
// has just swapped in.
(function () {
  if (!("speechSynthesis" in window)) return;
  function voice(lang) {
    return speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(lang));
  }
  function setup() {
    document.querySelectorAll("button[data-listen]").forEach((btn) => {
      if (voice((btn.dataset.lang || "vi").slice(0, 2))) btn.hidden = false;
    });
  }
  setup();
  speechSynthesis.addEventListener("voiceschanged", setup);
  document.addEventListener("htmx:afterSwap", setup);
  document.addEventListener("click", (event) => {
    const btn = event.target.closest("button[data-listen]");
    if (!btn) return;
    const lang = (btn.dataset.lang || "vi").slice(0, 2);
    if (!btn.dataset.label) btn.dataset.label = btn.textContent;
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      document.querySelectorAll("button[data-listen]").forEach((b) => {
        if (b.dataset.label) b.textContent = b.dataset.label;
      });
      return;
    }
    const target = document.querySelector(btn.dataset.listen);
    if (!target) return;
    const u = new SpeechSynthesisUtterance(target.innerText);
    u.voice = voice(lang); u.lang = u.voice ? u.voice.lang : lang;
    u.onend = () => { btn.textContent = btn.dataset.label; };
    btn.textContent = btn.dataset.stop;
    speechSynthesis.speak(u);
  });
})();
