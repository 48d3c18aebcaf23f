// The draft editor, progressively enhanced (the plain forms work without any of this):
// - Tab indents in the file boxes (Esc, then Tab, leaves a box);
// - the statement's preview follows the typing: debounced POST to the preview endpoint (CSRF
//   token from the form), rendered by the server's Markdown renderer, math by KaTeX;
// - "Save and validate" saves and queues in the background, then the report follows the
//   validation (queued -> running -> ok/failed) by polling the JSON status endpoint;
// - "Publish" is off while the boxes hold unsaved changes (only validated files publish).
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form || !window.fetch || !window.FormData) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var report = document.getElementById("validation-report");
  var publish = document.getElementById("publish");
  var publishProblem = document.getElementById("publish-problem");
  var errorBox = document.getElementById("edit-error");
  var dirtyNote = document.getElementById("dirty-note");
  var validateButton = document.getElementById("validate");

  var renderMath = window.deepgradeRenderMath;

  function showError(messages) {
    errorBox.innerHTML = "";
    var list = document.createElement("ul");
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    errorBox.appendChild(list);
    errorBox.hidden = false;
  }

  // -- Tab in the file boxes ---------------------------------------------------------------
  var areas = form.querySelectorAll("textarea");
  Array.prototype.forEach.call(areas, function (area) {
    var leaving = false;
    area.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { leaving = true; return; }
      if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey || leaving) {
        leaving = false;
        return;
      }
      event.preventDefault();
      area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // -- unsaved changes ---------------------------------------------------------------------
  var dirty = false;
  function setDirty(on) {
    dirty = on;
    if (dirtyNote) dirtyNote.hidden = !on;
    if (on && publish) {
      publish.disabled = true;
      publishProblem.textContent = "Unsaved changes: save and validate them before publishing.";
    }
  }
  form.addEventListener("input", function () { setDirty(true); });

  // -- live preview of the statement -------------------------------------------------------
  var statement = document.getElementById("file-statement.md");
  var preview = document.getElementById("statement-preview");
  renderMath(preview);
  if (statement && preview) {
    var timer = null, sent = 0;
    statement.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var data = new FormData();
        data.append("statement", statement.value);
        var number = ++sent;
        fetch(form.getAttribute("data-preview-url"), {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        }).then(function (response) { return response.json(); })
          .then(function (answer) {
            if (number !== sent) return; // a later keystroke's preview is on its way
            if (answer.html === undefined) { preview.textContent = answer.error || ""; return; }
            preview.innerHTML = answer.html; // rendered and sanitised by the server
            renderMath(preview);
          })
          .catch(function () { /* the next keystroke tries again */ });
      }, 350);
    });
  }

  // -- validation status -------------------------------------------------------------------
  function show(status) {
    report.setAttribute("data-state", status.state);
    report.setAttribute("data-stale", status.stale ? "true" : "false");
    report.innerHTML = status.html; // rendered by the server (escaped)
    if (publish && !dirty) {
      publish.disabled = !status.publishable;
      publishProblem.textContent = status.publish_problem || "";
    }
  }

  var generation = 0; // a newer poll() stops the older one
  function poll() {
    var mine = ++generation;
    var delay = 300, started = Date.now();
    function tick() {
      if (mine !== generation) return;
      fetch(report.getAttribute("data-status-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      }).then(function (status) {
        if (mine !== generation) return;
        show(status);
        if (status.state === "queued" || status.state === "running") schedule();
      }).catch(schedule);
    }
    function schedule() {
      // Fast at first, then every 2 s; a validation runs for seconds, rarely minutes.
      delay = Math.min(delay * 1.5, 2000);
      if (Date.now() - started < 15 * 60 * 1000) window.setTimeout(tick, delay);
    }
    window.setTimeout(tick, delay);
  }

  var state = report.getAttribute("data-state");
  if (state === "queued" || state === "running") poll();

  // -- "Save and validate" in the background -----------------------------------------------
  function totalBytes() {
    var total = 0;
    Array.prototype.forEach.call(areas, function (area) {
      total += new Blob([area.value]).size;
    });
    return total;
  }

  form.addEventListener("submit", function (event) {
    var maxTotal = parseInt(form.getAttribute("data-max-total"), 10);
    if (totalBytes() > maxTotal) {
      event.preventDefault();
      showError(["The files hold more than " + Math.floor(maxTotal / 1024) +
        " KiB together: shorten them before saving."]);
      return;
    }
    if (event.submitter !== validateButton) return;
    // Adding or removing files changes the boxes on the page: let the page reload then.
    var reshaping = form.querySelector("input[name=remove]:checked") ||
      document.getElementById("new-solution").value.trim();
    if (reshaping) return;
    event.preventDefault();
    errorBox.hidden = true;
    validateButton.disabled = true;
    fetch(validateButton.getAttribute("formaction"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { showError(answer.errors || ["Could not save (" + response.status + ")."]); return; }
        setDirty(false);
        show(answer);
        poll();
      });
    }).catch(function () {
      showError(["The server could not be reached: nothing was saved. Try again."]);
    }).then(function () { validateButton.disabled = false; });
  });
})();
