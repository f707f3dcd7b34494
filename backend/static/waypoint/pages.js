// Waypoint's few page behaviours, bound by data attributes: the Content-Security-Policy forbids
// inline scripts and event handlers (backend/settings.py).
"use strict";

// A table wider than a phone scrolls inside its own box (waypoint.css): such a box must be
// reachable with the keyboard to be scrolled without a pointer.
function focusableScrollBoxes() {
  for (const box of document.querySelectorAll("main table, .table-scroll")) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else if (!box.classList.contains("table-scroll")) {
      box.removeAttribute("tabindex");
    }
  }
}
window.addEventListener("resize", focusableScrollBoxes);

document.addEventListener("DOMContentLoaded", () => {
  focusableScrollBoxes();
  // A print button (the release sign-off).
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // A select that chooses where its form goes (the dashboard's form picker): the form's address
  // becomes the prefix followed by the chosen value.
  for (const select of document.querySelectorAll("select[data-action-prefix]")) {
    select.addEventListener("change", () => {
      select.form.action = select.dataset.actionPrefix + encodeURIComponent(select.value) + "/";
    });
  }
});
