// Live status of a submission: poll the JSON API until the submission is done, then reload the
// page, which the server renders with the full report. No framework: ~30 lines, no CDN.
(function () {
  "use strict";
  var box = document.getElementById("status");
  var url = box && box.dataset.pollUrl;
  if (!url) return;
  var text = document.getElementById("status-text");
  var delay = 250, started = Date.now();

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (data.status === "done" || data.status === "error") {
          window.location.reload();
          return;
        }
        if (text) {
          text.textContent = data.status === "running" ? "Running" : "Queued";
          text.className = "status s-" + data.status;
        }
        schedule();
      })
      .catch(schedule);
  }
  function schedule() {
    // Fast at first (most submissions finish within a second), then back off to 2 s.
    delay = Math.min(delay * 1.5, 2000);
    if (Date.now() - started < 15 * 60 * 1000) window.setTimeout(tick, delay);
  }
  window.setTimeout(tick, delay);
})();
