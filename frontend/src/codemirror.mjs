// The code editor of the exercise page: CodeMirror 6 with Python, bundled once by build.mjs into
// platform/pages/static/pages/vendor/codemirror.min.js (an IIFE that sets window.DeepgradeEditor).
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";

/**
 * Replace a <textarea> by an editor, keeping the textarea (hidden) as the form's field: every
 * change is copied into it, so the form posts exactly what the editor shows.
 * Keyboard: Tab indents, Shift+Tab dedents; Esc then Tab (or Ctrl+M) leaves the editor.
 */
function create(textarea, options = {}) {
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        python(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of(options.contentAttributes || {}),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
      ],
    }),
  });
  textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);
  textarea.hidden = true;
  return view;
}

window.DeepgradeEditor = { create };
