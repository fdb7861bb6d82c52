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
