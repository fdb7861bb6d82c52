// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Hide the "search" submit button of commune pickers when HTMX updates the list live.
  if (window.htmx) {
    document.querySelectorAll("[data-js-hide]").forEach((el) => { el.hidden = true; });
  }
});

// "Listen": play the pack's recording when the lesson has one, else read the
// lesson aloud with the browser's speech synthesis. Without a voice for the
// page's language the button stays visible but says why it cannot read.
(function () {
  const box = document.getElementById("listen-box");
  const btn = document.getElementById("listen");
  if (!box || !btn) return;
  box.hidden = false;
  const label = btn.textContent;
  const audio = btn.dataset.audio ? document.querySelector(btn.dataset.audio) : null;
  if (audio) {
    btn.addEventListener("click", () => {
      if (audio.paused) { audio.play(); btn.textContent = btn.dataset.stop; }
      else { audio.pause(); btn.textContent = label; }
    });
    audio.addEventListener("ended", () => { btn.textContent = label; });
    audio.addEventListener("pause", () => { btn.textContent = label; });
    return;
  }
  const missing = document.getElementById("listen-missing");
  const lang = (btn.dataset.lang || "vi").slice(0, 2);
  const synth = "speechSynthesis" in window ? window.speechSynthesis : null;
  function voice() {
    return synth ? synth.getVoices().find((v) => v.lang.toLowerCase().startsWith(lang)) : undefined;
  }
  function setup() {
    const ok = Boolean(voice());
    btn.disabled = !ok;
    btn.setAttribute("aria-describedby", ok ? "" : "listen-missing");
    if (missing) missing.hidden = ok;
  }
  setup();
  if (synth) synth.addEventListener("voiceschanged", setup);
  btn.addEventListener("click", () => {
    if (!synth || !voice()) return;
    if (synth.speaking) { synth.cancel(); btn.textContent = label; return; }
    const text = document.querySelector(btn.dataset.listen).innerText;
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice(); u.lang = u.voice ? u.voice.lang : lang;
    u.onend = () => { btn.textContent = label; };
    btn.textContent = btn.dataset.stop;
    synth.speak(u);
  });
})();

// "Listen" elsewhere (an assistant's answer): read a text aloud with the
// browser's speech synthesis, shown only when a voice for its language exists.
// Any button with data-listen="<selector of the text>" works, also one that
// HTMX has just swapped in (the lesson's own button is handled above).
(function () {
  if (!("speechSynthesis" in window)) return;
  function voice(lang) {
    return speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(lang));
  }
  function setup() {
    document.querySelectorAll("button[data-listen]:not(#listen)").forEach((btn) => {
      if (voice((btn.dataset.lang || "vi").slice(0, 2))) btn.hidden = false;
    });
  }
  setup();
  speechSynthesis.addEventListener("voiceschanged", setup);
  document.addEventListener("htmx:afterSwap", setup);
  document.addEventListener("click", (event) => {
    const btn = event.target.closest("button[data-listen]");
    if (!btn || btn.id === "listen") return;
    const lang = (btn.dataset.lang || "vi").slice(0, 2);
    if (!btn.dataset.label) btn.dataset.label = btn.textContent;
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      document.querySelectorAll("button[data-listen]:not(#listen)").forEach((b) => {
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
