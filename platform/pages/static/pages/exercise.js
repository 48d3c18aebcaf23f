// The exercise page, progressively enhanced (the plain form works without any of this):
// - math in the statement rendered by KaTeX (vendored, see frontend/);
// - the code box becomes a CodeMirror 6 Python editor; the textarea stays the form's field;
// - "Submit" / "Run visible tests" (/ "Run all tests" in pure self-test) post the same form in
//   the background, then the status and the report appear below the form, live (poll.js),
//   without leaving the page;
// - KaTeX also renders the worked solution's math (the server includes it only once shown).
(function () {
  "use strict";
  // The statement, and the worked solution when the page includes it (only once it is shown).
  ["statement", "worked-solution"].forEach(function (id) {
    window.deepgradeRenderMath(document.getElementById(id));
  });

  var area = document.getElementById("id_code");
  var editor = null;
  if (area && window.DeepgradeEditor) {
    editor = window.DeepgradeEditor.create(area, {
      contentAttributes: {
        "aria-labelledby": "code-label",
        "aria-describedby": "code-help",
        "aria-multiline": "true",
      },
    });
    var label = document.getElementById("code-label");
    if (label) label.addEventListener("click", function () { editor.focus(); });
  } else if (area) {
    // No editor: the Tab key still indents in the plain code box (Shift+Tab leaves it).
    area.addEventListener("keydown", function (event) {
      if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey) return;
      event.preventDefault();
      area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
    });
  }

  var form = document.getElementById("submit-form");
  var live = document.getElementById("live");
  var errorBox = document.getElementById("submit-error");
  if (!form || !live || !window.fetch || !window.DOMParser || !window.DeepgradePoll) return;
  var buttons = form.querySelectorAll("button[type=submit]");

  function busy(on) {
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
  }
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    // Enter in the answer box submits with the first button, whichever buttons the page offers.
    var submitter = event.submitter || buttons[0];
    event.preventDefault();
    if (editor) area.value = editor.state.doc.toString();
    var data = new FormData(form);
    data.set("mode", submitter && submitter.value ? submitter.value : "graded");
    errorBox.hidden = true;
    live.innerHTML = "";
    live.hidden = true;
    busy(true);
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var result = doc.getElementById("result");
        if (!response.ok || !result) {
          var alert = doc.querySelector("#submit-form [role=alert]:not([hidden])");
          var wait = response.headers.get("Retry-After");
          throw new Error((alert ? alert.textContent.trim() : "Could not send (HTTP " + response.status + ").") +
                          (wait ? " Try again in " + wait + " s." : ""));
        }
        var title = doc.querySelector("h1");
        live.innerHTML = "";
        var heading = document.createElement("h2");
        var link = document.createElement("a");
        link.href = response.url;
        link.textContent = title ? title.textContent : "Your submission";
        heading.appendChild(link);
        heading.appendChild(document.createTextNode(data.get("mode") === "graded" ? " (graded)" : " (practice)"));
        live.appendChild(heading);
        var node = document.importNode(result, true);
        live.appendChild(node);
        live.hidden = false;
        window.DeepgradePoll.watch(node, function () { busy(false); });
      });
    }).catch(function (err) {
      busy(false);
      showError(err && err.message ? err.message : "Could not send your submission.");
    });
  });
})();
