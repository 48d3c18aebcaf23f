// The exercise page, progressively enhanced (the plain form works without any of this):
// - math in the statement rendered by KaTeX (vendored, see frontend/);
// - the code box becomes a CodeMirror 6 Python editor; the textarea stays the form's field;
// - "Submit" / "Run visible tests" (/ "Run all tests" in pure self-test) post the same form in
//   the background, then the status and the report appear below the form, live (poll.js),
//   without leaving the page;
// - KaTeX also renders the worked solution's math (the server includes it only once shown),
//   and the options of a multiple-choice question;
// - a typed math answer is previewed as it is typed: how the grader's parser reads it, typeset
//   (POST /api/v1/exercises/<slug>/preview), or its message with a caret under the column;
// - after a submission, the rules box (attempts used, "Your score") and the recent submissions
//   follow without a reload, and the focus moves to the report's heading once it is there.
(function () {
  "use strict";
  // The statement, the options, and the worked solution when the page includes it.
  ["statement", "choices", "worked-solution"].forEach(function (id) {
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
  if (form && window.fetch) previewAnswer(form);
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
          // The page's own message says it all (a rate limit's says when to try again).
          var alert = doc.querySelector("#submit-form [role=alert]:not([hidden])");
          var said = alert ? alert.textContent.trim() : "";
          var wait = response.headers.get("Retry-After");
          throw new Error(said || ("Could not send (HTTP " + response.status + ")." +
                                   (wait ? " Try again in " + wait + " s." : "")));
        }
        var title = doc.querySelector("h1");
        live.innerHTML = "";
        var heading = document.createElement("h2");
        heading.id = "report-title";
        heading.tabIndex = -1; // focused once the report is in (a heading is not in the tab order)
        var link = document.createElement("a");
        link.href = response.url;
        link.textContent = title ? title.textContent : "Your submission";
        heading.appendChild(link);
        heading.appendChild(document.createTextNode(data.get("mode") === "graded" ? " (graded)" : " (practice)"));
        live.appendChild(heading);
        var node = document.importNode(result, true);
        live.appendChild(node);
        live.hidden = false;
        refreshRules(); // a queued graded submission already counts as an attempt
        window.DeepgradePoll.watch(node, function () {
          busy(false);
          refreshRules();
          heading.focus();
        });
      });
    }).catch(function (err) {
      busy(false);
      showError(err && err.message ? err.message : "Could not send your submission.");
    });
  });

  // The rules box, the worked solution (it may open once solved) and the recent submissions as
  // the server now renders them (one renderer: the exercise page itself), so the attempts and
  // the score follow without a reload.
  var rulesAsked = 0;
  function refreshRules() {
    var number = ++rulesAsked;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (number !== rulesAsked) return; // a newer page is on its way
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["rules", "worked-solution", "recent"].forEach(function (id) {
          var fresh = doc.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) old.replaceWith(document.importNode(fresh, true));
          else if (fresh && id === "recent") {
            var after = document.getElementById("worked-solution");
            if (after) after.after(document.importNode(fresh, true));
          }
        });
        window.deepgradeRenderMath(document.getElementById("worked-solution"));
      })
      .catch(function () { /* the page still shows the report; a reload shows the rest */ });
  }

  // The live preview of a typed math answer: after a pause in the typing, the answer is sent to
  // the preview endpoint (parsed only: never graded or counted) and shown as it is read.
  function previewAnswer(form) {
    var input = form.querySelector("input[data-preview-url]");
    var box = document.getElementById("answer-preview");
    if (!input || !box) return;
    var url = input.getAttribute("data-preview-url");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null, pending = null, pausedUntil = 0, asked = 0;

    function line(cls, text) {
      var p = document.createElement("p");
      p.className = cls;
      p.textContent = text;
      return p;
    }
    function show(nodes) {
      box.replaceChildren.apply(box, nodes);
      box.hidden = nodes.length === 0;
    }
    function render(data, text) {
      if (data.ok) {
        var label = line("preview-label", "Read as: ");
        var math = document.createElement("span");
        math.className = "preview-math";
        if (window.katex) {
          window.katex.render(data.latex, math, { throwOnError: false, displayMode: false });
        } else {
          math.textContent = data.understood;
        }
        label.appendChild(math);
        show([label]);
        return;
      }
      var nodes = [line("preview-error", (data.column ? "Column " + data.column + ": " : "") + data.message)];
      if (data.column) {
        // The answer with a caret under the column (monospace, so it lines up).
        var pre = document.createElement("pre");
        pre.className = "preview-caret";
        pre.setAttribute("aria-hidden", "true");
        pre.textContent = text + "\n" + " ".repeat(Math.max(0, data.column - 1)) + "^";
        nodes.push(pre);
      }
      show(nodes);
    }
    function ask() {
      var text = input.value;
      if (!text.trim()) { show([]); return; }
      if (Date.now() < pausedUntil) return;
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var number = ++asked;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : "",
        },
        body: JSON.stringify({ answer: text }),
        signal: pending ? pending.signal : undefined,
      }).then(function (response) {
        return response.json().then(function (data) { return { response: response, data: data }; });
      }).then(function (got) {
        if (number !== asked) return; // an answer to an older text
        if (got.response.ok) { render(got.data, text); return; }
        if (got.response.status === 429) {
          var wait = parseInt(got.response.headers.get("Retry-After") || "10", 10);
          pausedUntil = Date.now() + wait * 1000;
          show([line("preview-error", "Preview paused: " + got.data.message + ".")]);
          return;
        }
        show([line("preview-error", "No preview: " + (got.data.message || "HTTP " + got.response.status) + ".")]);
      }).catch(function () { /* aborted by newer typing, or offline: keep what is shown */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 350);
    });
    if (input.value.trim()) ask(); // an answer kept after a refused submission
  }
})();
