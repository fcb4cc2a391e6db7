/* The incoming desk from the keyboard (stories/desk_views.py), as the moderation queue:
 * j/k move between drafts, p publish and r reject the current one, x selects it, o opens
 * the selected drafts (or the current one) in full, e edits it, ? shows the keys. Every
 * decision is the plain form's own button, so the page works the same without this file;
 * after a decision the desk comes back with the cursor on the draft that followed. The
 * current row and the select-all box are row-cursor.js's, shared with the queue.
 */
(function () {
  "use strict";
  var form = document.querySelector(".desk-form");
  if (!form) return;
  var help = document.getElementById("desk-keys");
  var focusField = form.querySelector("input[name=focus]");
  if (help) help.hidden = false;

  var cursor = window.rowCursor(form, ".desk-item", false);
  var rows = cursor.rows;
  var select = cursor.select;
  var move = cursor.move;

  function decide(row, action) {
    var button = row.querySelector('button[data-action="' + action + '"]');
    if (!button) return;
    var all = rows();
    var next = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
    focusField.value = next ? next.dataset.draft : "";
    button.click();
  }

  function openSelected() {
    var boxes = form.querySelectorAll("[data-select]:checked");
    if (!boxes.length && cursor.current) cursor.current.querySelector("[data-select]").checked = true;
    form.querySelector('button[name=action][value="open"]').click();
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "single" && !focusField.value) {
      var row = submitter.closest(".desk-item");
      var all = rows();
      var next = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
      focusField.value = next ? next.dataset.draft : "";
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    var key = event.key;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "?" && help) help.hidden = !help.hidden;
    else if (key === "o") openSelected();
    else if (!cursor.current) {
      if ("prxe".indexOf(key) >= 0 && key.length === 1) move(1);
      else return;
    } else if (key === "p") decide(cursor.current, "publish");
    else if (key === "r") decide(cursor.current, "reject");
    else if (key === "e") window.location.href = cursor.current.dataset.edit;
    else if (key === "x") {
      var box = cursor.current.querySelector("[data-select]");
      box.checked = !box.checked;
    } else return;
    event.preventDefault();
  });

  var wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (wanted && wanted.classList.contains("desk-item")) select(wanted);
})();
