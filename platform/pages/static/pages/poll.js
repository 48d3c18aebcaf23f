// Live status of a submission, without reloading: poll the JSON API while it is queued or
// running (the status text follows), then fetch the submission page once and put its rendered
// report (#result, from pages/_result.html) in place. No framework, no CDN.
// The exercise page uses DeepgradePoll.watch() for the submission it has just sent.
(function () {
  "use strict";
  var LABELS = { queued: "Queued", running: "Running" };

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); });
  }

  function fetchResult(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("result");
        return fresh ? document.importNode(fresh, true) : Promise.reject("no #result");
      });
  }

  // Watches the #result element `result`; calls onDone(newResult) once it is rendered as done.
  function watch(result, onDone) {
    var box = result.querySelector("[data-poll-url]");
    if (!box) { if (onDone) onDone(result); return; }
    var url = box.getAttribute("data-poll-url");
    var page = result.getAttribute("data-url");
    var text = result.querySelector(".status");
    var delay = 250, started = Date.now();

    function finish() {
      fetchResult(page).then(function (fresh) {
        result.replaceWith(fresh);
        if (fresh.querySelector("[data-poll-url]")) watch(fresh, onDone); // not rendered as done yet
        else if (onDone) onDone(fresh);
      }).catch(function () { window.setTimeout(finish, 1000); });
    }
    function tick() {
      getJson(url).then(function (data) {
        if (data.status === "done" || data.status === "error") { finish(); return; }
        result.setAttribute("data-status", data.status);
        if (text) {
          text.textContent = LABELS[data.status] || data.status;
          text.className = "status s-" + data.status;
        }
        schedule();
      }).catch(schedule);
    }
    function schedule() {
      // Fast at first (most submissions finish within a second), then back off to 2 s.
      delay = Math.min(delay * 1.5, 2000);
      if (Date.now() - started < 15 * 60 * 1000) window.setTimeout(tick, delay);
    }
    window.setTimeout(tick, delay);
  }

  window.DeepgradePoll = { watch: watch, fetchResult: fetchResult };

  // The submission page: watch its own result.
  var own = document.getElementById("result");
  if (own && !document.getElementById("submit-form")) watch(own);
})();
