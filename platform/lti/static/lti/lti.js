// The LTI pages shown in the LMS's frame (lti/templates/lti/frame.html): no inline script (CSP).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The deep-linking answer goes back to the LMS by itself.
  const back = document.querySelector("form[data-auto-submit]");
  if (back) back.submit();
  // Opened as a page of its own rather than in a frame: no need to click.
  const open = document.querySelector("a[data-auto-open]");
  if (open && window.top === window.self) window.location.replace(open.href);
});
