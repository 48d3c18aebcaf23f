// Typesets the $...$ and $$...$$ math of an element with the vendored KaTeX: one set of
// delimiters for the whole site (statements, worked solutions, the authoring preview).
(function () {
  "use strict";
  window.deepgradeRenderMath = function (element) {
    if (!element || !window.renderMathInElement) return;
    window.renderMathInElement(element, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  };
})();
