// Helpers' card scanner: reads the learner's QR card with the camera where the
// browser has BarcodeDetector; elsewhere the helper types the code (the form
// works without this file).
(function () {
  const start = document.getElementById("scanner-start");
  const box = document.getElementById("scanner");
  const video = document.getElementById("scanner-video");
  const form = document.getElementById("scan-form");
  if (!start || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  start.hidden = false;
  start.addEventListener("click", async () => {
    let detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      video.srcObject = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false,
      });
    } catch (e) { return; }
    box.hidden = false; start.hidden = true;
    await video.play();
    const tick = async () => {
      try {
        const codes = await detector.detect(video);
        if (codes.length) {
          form.querySelector("[name=code]").value = codes[0].rawValue;
          form.querySelector("[name=scanned]").value = "on";
          video.srcObject.getTracks().forEach((t) => t.stop());
          form.submit();
          return;
        }
      } catch (e) { /* keep trying */ }
      setTimeout(tick, 250);
    };
    tick();
  });
})();
