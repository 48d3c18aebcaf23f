// The Tab key indents in the code box instead of leaving it (Shift+Tab still leaves it).
(function () {
  "use strict";
  var area = document.getElementById("id_code");
  if (!area) return;
  area.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey) return;
    event.preventDefault();
    var start = area.selectionStart, end = area.selectionEnd;
    area.setRangeText("    ", start, end, "end");
  });
})();
