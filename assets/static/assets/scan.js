/* Stocktake scanner: the phone's camera reads a QR label and the server marks the item found.
   BarcodeDetector where the browser has it; otherwise the vendored jsQR, loaded on first use.
   No inline script (the site's CSP): everything comes from data- attributes of #scan. */
(function () {
  "use strict";
  var root = document.getElementById("scan");
  if (!root) return;
  var button = root.querySelector("[data-scan-start]");
  var stopButton = root.querySelector("[data-scan-stop]");
  var video = root.querySelector("video");
  var status = root.querySelector("[data-scan-status]");
  var canvas = document.createElement("canvas");
  var stream = null;
  var detector = null;
  var busy = false;
  var last = { text: "", at: 0 };

  function say(text, ok) {
    status.textContent = text;
    status.className = "small mt-2 " + (ok ? "text-success" : "text-danger");
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      var s = document.createElement("script");
      s.src = root.dataset.jsqr;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function readFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    // jsQR reads a downscaled frame: a label fills much of the picture, and small frames
    // keep an older phone responsive.
    var scale = Math.min(1, 640 / Math.max(video.videoWidth, 1));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  function report(text) {
    var body = new FormData();
    body.append("url", text);
    var place = document.getElementById("id_found_location");
    if (place && place.value) body.append("found_location", place.value);
    return fetch(root.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.querySelector("[name=csrfmiddlewaretoken]").value },
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) return say(data.error || root.dataset.failed, false);
        say(data.code + " " + data.name + "：" + data.result, true);
        var line = document.querySelector('[data-pending-asset="' + data.asset + '"]');
        if (line) line.remove();
        if (navigator.vibrate) navigator.vibrate(80);
      });
    }, function () {
      say(root.dataset.failed, false);
    });
  }

  function tick() {
    if (!stream) return;
    if (busy || video.readyState < 2) return requestAnimationFrame(tick);
    busy = true;
    readFrame()
      .then(function (text) {
        var now = Date.now();
        // The same label stays in view for a while: report it once, not every frame.
        if (text && (text !== last.text || now - last.at > 3000)) {
          last = { text: text, at: now };
          return report(text);
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        requestAnimationFrame(tick);
      });
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.classList.add("d-none");
    stopButton.classList.add("d-none");
    button.classList.remove("d-none");
  }

  button.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return say(root.dataset.nocamera, false);
    }
    var ready = "BarcodeDetector" in window
      ? window.BarcodeDetector.getSupportedFormats().then(function (formats) {
          if (formats.indexOf("qr_code") >= 0) {
            detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          } else {
            return loadJsQR();
          }
        })
      : loadJsQR();
    ready
      .then(function () {
        return navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment" },
          audio: false,
        });
      })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.classList.remove("d-none");
        stopButton.classList.remove("d-none");
        button.classList.add("d-none");
        say(root.dataset.aim, true);
        return video.play();
      })
      .then(tick)
      .catch(function () {
        stop();
        say(root.dataset.nocamera, false);
      });
  });
  stopButton.addEventListener("click", stop);
})();
