// Waypoint's few page behaviours, bound by data attributes: the Content-Security-Policy forbids
// inline scripts and event handlers (backend/settings.py).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
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
